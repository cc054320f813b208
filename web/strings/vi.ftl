# Page-only wording of the web verifier; verdicts, reasons and field labels come from the CLI's
# cli/i18n/vi/giayto.ftl (copied to web/i18n by npm/build.sh).
web-title = Kiểm tra giấy tờ
web-lang-switch = English
web-scan = Quét bằng camera
web-stop = Dừng camera
web-pick = Chọn ảnh mã QR
web-paste-label = Hoặc dán nội dung mã (VN1:… / VP1:…)
web-check = Kiểm tra
web-setup = Dữ liệu tin cậy
web-root-label = Khoá gốc (root.pub)
web-bundle-label = Gói dữ liệu ngoại tuyến (bundle)
web-no-data = Chưa có dữ liệu tin cậy: hãy nạp khoá gốc và gói dữ liệu.
web-bundle-age = Gói dữ liệu lập lúc { $made } ({ $hours } giờ trước), { $lists } danh sách trạng thái; danh sách tin cậy số { $sequence }, cần cập nhật trước { $due }.
web-bundle-old = Gói dữ liệu đã cũ: hãy đồng bộ dữ liệu mới.
web-loaded = Đã nạp dữ liệu.
web-load-error = Không nạp được: { $detail }
web-no-code = Không tìm thấy mã QR trong ảnh.
web-image-error = Không đọc được ảnh: { $detail }
web-camera-error = Không mở được camera: { $detail }
web-offline-ready = Sẵn sàng dùng khi không có mạng.
web-warning = Lưu ý
web-rollback-kept = Dữ liệu mới hơn đã nạp trước đó vẫn được dùng.

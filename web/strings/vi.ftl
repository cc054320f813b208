# Page-only wording of the web verifier; verdicts, reasons and field labels come from the CLI's
# cli/i18n/vi/giayto.ftl (copied to web/i18n by npm/build.sh).
web-title = Kiểm tra giấy tờ
web-lang-switch = English
web-scan = Quét bằng camera
web-stop = Dừng camera
web-pick = Chọn ảnh mã QR
web-file-checked = Đã kiểm tra: { $name }
web-paste-label = Hoặc dán nội dung mã (VN1:… / VP1:…)
web-check = Kiểm tra
web-setup = Dữ liệu tin cậy
web-root-label = Khoá gốc (root.pub)
web-bundle-label = Gói dữ liệu ngoại tuyến (bundle)
web-file-none = Chưa nạp
web-file-loaded = Đã nạp: { $name }
web-file-loaded-unnamed = Đã nạp
web-no-data = Chưa có dữ liệu tin cậy: hãy nạp khoá gốc và gói dữ liệu.
web-root-only = Đã nạp khoá gốc. Hãy nạp tiếp gói dữ liệu ngoại tuyến để bắt đầu kiểm tra.
web-bundle-only = Đã nạp gói dữ liệu ngoại tuyến. Hãy nạp tiếp khoá gốc (root.pub) để bắt đầu kiểm tra.
web-bundle-age = Gói dữ liệu lập lúc { $made } ({ $hours } giờ trước), { $lists } danh sách trạng thái; danh sách tin cậy số { $sequence }, cần cập nhật trước { $due }.
web-bundle-old = Gói dữ liệu đã cũ: hãy đồng bộ dữ liệu mới.
web-loaded = Đã nạp dữ liệu.
web-load-error = Không nạp được: { $detail }
web-no-code = Không tìm thấy mã QR trong ảnh.
web-image-error = Không đọc được ảnh: { $detail }
web-camera-error = Không mở được camera. Hãy chọn ảnh hoặc dán nội dung mã.
web-camera-denied = Quyền dùng camera đã bị từ chối. Hãy cho phép camera cho trang này trong phần cài đặt của trình duyệt, hoặc chọn ảnh.
web-camera-none = Không tìm thấy camera. Hãy chọn ảnh hoặc dán nội dung mã.
web-camera-busy = Camera đang được ứng dụng khác dùng. Hãy đóng ứng dụng đó rồi thử lại, hoặc chọn ảnh.
web-camera-unavailable = Trình duyệt không mở được camera ở đây (trang cần https). Hãy chọn ảnh hoặc dán nội dung mã.
web-offline-ready = Sẵn sàng dùng khi không có mạng.
web-warning = Lưu ý
# Một câu trình đọc màn hình đọc lên sau mỗi lần kiểm tra.
web-announce = { $verdict }: { $name }, { $doc }.
web-announce-doc = { $verdict }: { $doc }.
web-announce-plain = { $verdict }.
web-rollback-kept = Dữ liệu mới hơn đã nạp trước đó vẫn được dùng.

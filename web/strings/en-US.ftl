# Page-only wording of the web verifier; verdicts, reasons and field labels come from the CLI's
# cli/i18n/en-US/giayto.ftl (copied to web/i18n by npm/build.sh).
web-title = Document check
web-lang-switch = Tiếng Việt
web-scan = Scan with camera
web-stop = Stop camera
web-pick = Pick a QR image
web-paste-label = Or paste the code (VN1:… / VP1:…)
web-check = Check
web-setup = Trust data
web-root-label = Root key (root.pub)
web-bundle-label = Offline bundle
web-no-data = No trust data yet: load the root key and a bundle.
web-bundle-age = Bundle made { $made } ({ $hours } hours ago), { $lists } status lists; trust list no. { $sequence }, update due { $due }.
web-bundle-old = The bundle is old: sync fresh data.
web-loaded = Data loaded.
web-load-error = Could not load: { $detail }
web-no-code = No QR code found in the image.
web-image-error = Could not read the image: { $detail }
web-camera-error = Could not open the camera: { $detail }
web-offline-ready = Ready to work offline.
web-warning = Note
web-rollback-kept = The newer data loaded before stays in use.

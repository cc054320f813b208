# Page-only wording of the web verifier; verdicts, reasons and field labels come from the CLI's
# cli/i18n/en-US/giayto.ftl (copied to web/i18n by npm/build.sh).
web-title = Document check
web-lang-switch = Tiếng Việt
web-scan = Scan with camera
web-stop = Stop camera
web-pick = Pick a QR image
web-file-checked = Checked: { $name }
web-paste-label = Or paste the code (VN1:… / VP1:…)
web-check = Check
web-setup = Trust data
web-root-label = Root key (root.pub)
web-bundle-label = Offline bundle
web-file-none = Not loaded yet
web-file-loaded = Loaded: { $name }
web-file-loaded-unnamed = Loaded
web-no-data = No trust data yet: load the root key and a bundle.
web-root-only = Root key loaded. Now load the offline bundle to start checking.
web-bundle-only = Offline bundle loaded. Now load the root key (root.pub) to start checking.
web-bundle-age = Bundle made { $made } ({ $hours } hours ago), { $lists } status lists; trust list no. { $sequence }, update due { $due }.
web-bundle-old = The bundle is old: sync fresh data.
web-loaded = Data loaded.
web-load-error = Could not load: { $detail }
web-no-code = No QR code found in the image.
web-image-error = Could not read the image: { $detail }
web-camera-error = Could not open the camera. Pick an image or paste the code.
web-camera-denied = Camera access was refused. Allow the camera for this page in the browser's settings, or pick an image.
web-camera-none = No camera was found. Pick an image or paste the code.
web-camera-busy = The camera is in use by another app. Close it and try again, or pick an image.
web-camera-unavailable = This browser cannot open the camera here (the page needs https). Pick an image or paste the code.
web-offline-ready = Ready to work offline.
web-warning = Note
# One sentence read out by a screen reader after each check.
web-announce = { $verdict }: { $name }, { $doc }.
web-announce-doc = { $verdict }: { $doc }.
web-announce-plain = { $verdict }.
web-rollback-kept = The newer data loaded before stays in use.

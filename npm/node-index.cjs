// The giayto-verify package for Node (copied to node/giayto_verify_wasm.js by npm/build.sh):
// the verifier module (giayto_verify_full.js) and the QR scanner module (giayto_scan_wasm.js)
// under one require, as before the scanner became a module of its own (docs/decisions.md D175).
// The scanner's WASM is instantiated on the first decodeImage or decodeRgba call, so a program
// that only verifies texts never loads it.
'use strict';
const verifier = require('./giayto_verify_full.js');

let scanner = null;
const scan = () => {
  if (scanner === null) scanner = require('./giayto_scan_wasm.js');
  return scanner;
};

module.exports = {
  ...verifier,
  /** Every QR text found in an image file's bytes (PNG or JPEG), decoded in WASM. */
  decodeImage: (bytes) => scan().decodeImage(bytes),
  /** Every QR text found in RGBA pixels (a canvas ImageData: data, width, height). */
  decodeRgba: (data, width, height) => scan().decodeRgba(data, width, height),
};

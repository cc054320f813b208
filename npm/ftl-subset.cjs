// The page's copy of the CLI's Fluent messages (npm/build.sh): only the messages the page can
// show, so that the first load does not carry the CLI's help, wallet, issuing and fetching
// texts (issue 18 goal 5, docs/decisions.md D178). One source of wording stays: every message
// kept is the CLI's, byte for byte, with its comments. The CLI files use no terms and no
// message references (checked here), so a message never needs one that was left out.
//   node npm/ftl-subset.cjs IN.ftl OUT.ftl
'use strict';
const fs = require('node:fs');

// The families web/app.js and web/index.html use: literal ids and `${prefix}${code}` ones.
const KEEP = ['doc-', 'field-', 'reason-', 'sex-', 'value-', 'verdict-', 'warning-', 'card-',
  'prefill-', 'request-error-', 'error-delta-', 'error-rollback-', 'meta-', 'note-',
  'trust-list-noun', 'verify-request-line', 'yes', 'no'];
const kept = (id) => KEEP.some((k) => (k.endsWith('-') ? id.startsWith(k) : id === k));

function subset(text) {
  if (/^-[a-z]/m.test(text)) throw new Error('the Fluent file has terms: the subset cannot follow them');
  if (/\{\s*[a-z][a-z0-9-]*(\.[a-z-]+)?\s*\}/.test(text.replace(/\{\s*\$[^}]*\}/g, ''))) {
    throw new Error('the Fluent file has message references: the subset cannot follow them');
  }
  const out = [];
  let keep = false;
  let comments = [];
  for (const line of text.split('\n')) {
    const entry = /^([a-z][a-z0-9-]*)\s*=/.exec(line);
    if (entry) {
      keep = kept(entry[1]);
      if (keep) out.push(...comments);
      comments = [];
      if (keep) out.push(line);
    } else if (line.startsWith('#')) {
      comments.push(line);
      keep = false;
    } else if (line.trim() === '') {
      if (keep) out.push(line);
      comments = [];
    } else if (keep) {
      out.push(line); // a continuation line of a kept message (indented, or a variant)
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}

module.exports = { KEEP, subset };

if (require.main === module) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) { console.error('usage: node npm/ftl-subset.cjs IN.ftl OUT.ftl'); process.exit(2); }
  fs.writeFileSync(output, subset(fs.readFileSync(input, 'utf8')));
}

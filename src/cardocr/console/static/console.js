// The cardocr console: an Alpine.js component over the public API (the token endpoint and
// POST /v2/{project_id}/ocr/<document>). The page keeps everything in the browser: photos,
// answers and corrections are never sent anywhere but to the API that reads them.

// Below this a field's confidence is marked low: in bench/RESULTS.md fields under 0.9 were
// right 84-88% of the time, those above it 99.9-100%.
const LOW_CONFIDENCE = 0.9;

const DOCUMENTS = {'': 'detect (tries each document)', 'id-card': 'Mainland ID card',
                   'hk-id-card': 'Hong Kong ID card', 'driver-license': 'Mainland driving licence'};
const NO_CARD = 'AIS.0104';  // what a document's endpoint answers for another document's card
const SIDES = {'': 'detect', front: 'front', back: 'back', double_side: 'both sides in one photo'};

// flag -> [label, ticked by default]
const FLAGS = {
  return_verification: ['Verify the fields (check digits, dates)', true],
  return_text_location: ["Locate each field's text", true],
  return_issuing_authority: ['Read the issuing authority (seal)', true],
  return_portrait_image: ['Return the portrait', true],
  return_portrait_location: ['Locate the portrait', true],
  return_adjusted_image: ['Return the straightened card', true],
  return_confidence: ['Calibrated confidence per field, and whether to review', true],
  detect_border_integrity: ['Warn when the border is cut off', false],
  detect_blocking_within_border: ['Warn when something covers the card', false],
  detect_glare: ['Warn about glare', false],
  detect_blur: ['Warn about blur', false],
  detect_reproduce: ['Warn about a photo of a screen', false],
  detect_copy: ['Warn about a photocopy', false],
  detect_tampering: ['Warn about tampering', false],
  detect_interim: ['Warn about an interim card', false],
};

// verification key -> [fields it concerns, passed, failed]
const CHECKS = {
  valid_number: [['number'], 'The ID number passes its check character.',
                 'The ID number fails its check character: misread, or not a real number.'],
  valid_birth: [['birth'], 'The birth date agrees with the ID number.',
                'The birth date differs from the one inside the ID number.'],
  valid_sex: [['sex'], 'The sex agrees with the ID number.', 'The sex differs from the one the ID number encodes.'],
  valid_date: [['valid_from', 'valid_to'], 'The validity dates are real dates, the start before the end.',
               'The validity dates are not real dates, or the start is not before the end.'],
  valid_validity_period: [['valid_from', 'valid_to'], 'The validity period is 5, 10 or 20 years.',
                          'The validity period is not one an ID card is issued for (5, 10 or 20 years).'],
};

// detect_<x>_result: true means the problem was seen
const SIGNALS = {
  detect_border_integrity_result: ['border_integrity_score', 'Part of the card is cut off.', 'The whole card is in the photo.'],
  detect_blocking_within_border_result: ['blocking_within_border_score', 'Something covers part of the card.', 'Nothing covers the card.'],
  detect_glare_result: ['glare_score', 'Glare hides part of the card.', 'No glare.'],
  detect_blur_result: ['blur_score', 'The photo is blurred.', 'The photo is sharp enough.'],
  detect_reproduce_result: ['reproduce_score', 'This looks like a photo of a screen.', 'Not a photo of a screen.'],
  detect_copy_result: ['copy_score', 'This looks like a photocopy.', 'Not a photocopy.'],
  detect_tampering_result: ['tampering_score', 'The card may have been tampered with.', 'No sign of tampering.'],
  detect_interim_result: ['interim_score', 'This is an interim card.', 'Not an interim card.'],
};

// vendor error code -> what it means for the person in front of the page
const ERRORS = {
  'AIS.0101': 'The request had a wrong parameter.',
  'AIS.0102': 'This file is not an image the service reads: use a JPEG, PNG, BMP or TIFF photo.',
  'AIS.0103': 'The image is too large or too small: at most 10 MB, each edge between 15 and 8,000 pixels (100 for a licence).',
  'AIS.0104': 'No card of the chosen kind was found in the photo. Check the document type, and that the whole card is visible.',
  'AIS.0105': 'A card was found but could not be read. Try a sharper, better lit photo.',
  'ModelArts.4104': 'The image is too large to send.',
  'ModelArts.4105': 'The request was not understood.',
  'ModelArts.4601': 'The service may not fetch this URL: only public http(s) addresses are allowed.',
  'ModelArts.4603': 'The image at this URL could not be downloaded.',
  'ModelArts.4101': 'You are not logged in.',
  'ModelArts.4102': 'Your session is not valid: log in again.',
  'ModelArts.0203': 'Your session has expired: log in again.',
  'ModelArts.4203': 'Your account may not use this project.',
  'ModelArts.0205': 'The user name, password or domain is wrong.',
  'ModelArts.4401': 'The service is busy: try again in a moment.',
  'ModelArts.4505': 'The service failed on this request (a fault in the service, not in your photo).',
  'APIGW.0101': 'The service does not offer this API.',
  'APIGW.0201': 'The request was not understood.',
};
const SESSION_ENDED = ['ModelArts.4101', 'ModelArts.4102', 'ModelArts.0203'];
let queue = Promise.resolve();  // one photo at a time: the service's pool is shared

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;  // a shell single-quoted word

// An answer's cards: a two-sided answer is {front: {...}, back: {...}}; a one-sided one is the
// side whose result keys it carries (the API does not name the side it detected).
function cardsOf(wire, result, side) {
  const sides = side === 'double_side' ? Object.keys(result) : [side || Object.keys(wire.fields).find(
    (s) => wire.fields[s].every((k) => k in result || k === 'issuing_authority')) || Object.keys(wire.fields)[0]];
  return sides.map((s) => {
    const r = side === 'double_side' ? result[s] : result;
    const checks = Object.entries(r.verification_result || {}).map(([key, ok]) => {
      const [fields, yes, no] = CHECKS[key] || [[], `${key}: passed`, `${key}: failed`];
      return {key, ok, fields, says: ok ? yes : no};
    });
    const failed = new Set(checks.filter((c) => !c.ok).flatMap((c) => c.fields));
    const fields = wire.fields[s].filter((k) => k in r).map((key) => {
      const confidence = r.confidence ? r.confidence[key] : null;
      const notes = [];
      if (r[key] === '') notes.push('not read');
      if (confidence !== null && confidence < LOW_CONFIDENCE) notes.push('low confidence');
      if (failed.has(key)) notes.push('check failed');
      const value = typeof r[key] === 'boolean' ? String(r[key]) : r[key];
      return {key, value, original: value, boolean: typeof r[key] === 'boolean', confidence, notes,
              box: (r.text_location || {})[key] || null};
    });
    const signals = Object.entries(SIGNALS).filter(([k]) => k in r).map(([k, [score, yes, no]]) =>
      ({key: k, seen: r[k], says: r[k] ? yes : no, score: (r.score_info || {})[score]}));
    return {side: s, fields, checks, signals, confidence: Boolean(r.confidence), portrait: r.portrait_image || null,
            portraitBox: r.portrait_location || null, adjusted: r.adjusted_image || null};
  });
}

document.addEventListener('alpine:init', () => Alpine.data('cardConsole', () => ({
  docs: [], login: {user: '', password: '', domain: ''}, loginError: '',
  token: '', projectId: '', userName: '',
  doc: 'id-card', side: '', flags: [], url: '', dragging: false,
  items: [], current: 0, nextId: 1, notice: '', storeNotice: '', store: {review_store: false},
  batch: Date.now().toString(36) + Math.random().toString(36).slice(2, 8),  // card ids: batch-n

  async init() {
    this.docs = await (await fetch('/console/documents.json')).json();
    this.store = await (await fetch('/console/config.json')).json();
    const saved = JSON.parse(sessionStorage.getItem('cardocr.session') || 'null');
    if (saved) Object.assign(this, saved);
    this.chooseDocument(this.doc);
  },
  wire(path = this.doc) { return this.docs.find((d) => d.path === path) || {sides: [], flags: [], fields: {}}; },
  documentLabel: (path) => DOCUMENTS[path] || path,
  sideLabel: (side) => SIDES[side] || side,
  flagLabel: (flag) => (FLAGS[flag] || [flag])[0],
  chooseDocument(path) {
    this.doc = path;
    this.side = '';
    this.flags = this.wire().flags.filter((f) => (FLAGS[f] || [])[1]);
  },

  async signIn() {
    this.loginError = '';
    const {user, password, domain} = this.login;
    const body = {auth: {identity: {methods: ['password'], password: {user: {name: user, password, domain: {name: domain}}}}}};
    const r = await this.call('/v3/auth/tokens', body);
    if (r.error) { this.loginError = `${r.error.code}: ${r.error.says}`; return; }
    this.token = r.headers.get('X-Subject-Token');
    this.projectId = r.json.token.project.id;
    this.userName = user;
    this.login.password = '';
    sessionStorage.setItem('cardocr.session', JSON.stringify({token: this.token, projectId: this.projectId, userName: user}));
  },
  signOut(why = '') {
    this.token = '';
    this.loginError = why;
    sessionStorage.removeItem('cardocr.session');
  },

  // POST a JSON body (GET without one); an error answer becomes {error: {code, says, message}}
  async call(path, body, token = '') {
    const headers = {'Content-Type': 'application/json'};
    if (token) headers['X-Auth-Token'] = token;
    let r;
    try {
      r = await fetch(path, body ? {method: 'POST', headers, body: JSON.stringify(body)} : {headers});
    } catch (e) {
      return {error: {code: 'network', says: 'The service could not be reached.', message: String(e)}};
    }
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch (e) { /* not JSON: reported below */ }
    if (r.ok && json) return {json, text, headers: r.headers};
    const code = json && json.error_code || `HTTP ${r.status}`;
    return {text, error: {code, says: ERRORS[code] || 'The service refused the request.',
                          message: json && json.error_msg || text.slice(0, 200)}};
  },

  addFiles(fileList) {
    for (const file of fileList) this.enqueue({name: file.name, file, photo: URL.createObjectURL(file)});
  },
  addUrl() {
    if (this.url) this.enqueue({name: this.url, url: this.url, photo: this.url});
    this.url = '';
  },
  enqueue(source) {
    const item = {id: this.nextId++, ...source, doc: this.doc, side: this.side, flags: [...this.flags],
                  width: 0, height: 0, status: 'waiting', ms: 0, answer: '', cards: [], error: null, accepted: false};
    this.items.push(item);
    if (this.items.length === 1 || this.item().status !== 'waiting') this.current = this.items.length - 1;
    queue = queue.then(() => this.recognize(this.items.find((i) => i.id === item.id)))
      .catch((e) => Object.assign(this.items.find((i) => i.id === item.id) || {}, {status: 'failed',
        error: {code: 'page', says: 'The page could not read this file or show its answer.', message: String(e)}}));
  },
  async recognize(item) {
    if (!item) return;
    item.status = 'reading';
    const body = item.file ? {image: await base64(item.file)} : {url: item.url};
    if (item.side) body.side = item.side;
    for (const f of item.flags) body[f] = true;
    const began = performance.now();
    // "detect": each document's endpoint in turn, until one finds its card (the API has no
    // endpoint for "any document"; another document's card is "no card" to each)
    let r;
    for (const path of item.doc ? [item.doc] : this.docs.map((d) => d.path)) {
      r = await this.call(`/v2/${this.projectId}/ocr/${path}`, body, this.token);
      if (!r.error || r.error.code !== NO_CARD) {
        item.doc = path;
        break;
      }
    }
    item.ms = Math.round(performance.now() - began);
    item.answer = r.json ? JSON.stringify(r.json, null, 2) : r.text;
    if (r.error) {
      item.error = r.error;
      item.status = 'failed';
      if (SESSION_ENDED.includes(r.error.code)) this.signOut(r.error.says);
      return;
    }
    item.cards = cardsOf(this.wire(item.doc), r.json.result, item.side);
    item.status = item.cards.some((c) => this.uncertain(c)) ? 'check' : 'read';
  },

  item() { return this.items[this.current] || null; },
  uncertain: (card) => card.fields.some((f) => f.notes.length) || card.checks.some((c) => !c.ok) ||
                       card.signals.some((s) => s.seen),
  statusLabel(it) {
    if (it.accepted) return 'accepted';
    return {waiting: 'waiting', reading: 'reading…', failed: 'failed', check: 'needs review', read: 'read'}[it.status];
  },
  select(i) {
    this.current = Math.max(0, Math.min(this.items.length - 1, i));
    this.$nextTick(() => this.$refs.list.querySelector(`[data-index="${this.current}"]`)?.focus());
  },
  listKey(e) {
    const moves = {ArrowDown: 1, j: 1, ArrowUp: -1, k: -1};
    if (e.key in moves) this.select(this.current + moves[e.key]);
    else if (e.key === 'Home') this.select(0);
    else if (e.key === 'End') this.select(this.items.length - 1);
    else if (e.key === 'a' || e.key === 'Enter') this.accept();
    else return;
    e.preventDefault();
  },
  accept() {
    const it = this.item();
    if (!it || !it.cards.length) return;  // nothing read (yet): nothing to accept
    it.accepted = true;
    const next = this.items.findIndex((x, i) => i > this.current && !x.accepted);
    if (next >= 0) this.select(next);
  },
  corrected: (f) => f.value !== f.original,

  // the photo's overlay: each field's box (fields located together share one), failed or
  // uncertain ones marked
  overlay(it) {
    const w = Math.max(it.width, it.height) || 1000;
    const boxes = new Map();  // points -> {pts, labels, doubt}
    for (const c of it.cards) {
      const located = c.fields.filter((f) => f.box).map((f) => [f.box, f.key, f.notes.length > 0]);
      if (c.portraitBox) located.push([c.portraitBox, 'portrait', false]);
      for (const [pts, label, doubt] of located) {
        const b = boxes.get(String(pts)) || {pts, labels: [], doubt: false, portrait: label === 'portrait'};
        b.labels.push(label);
        b.doubt ||= doubt;
        boxes.set(String(pts), b);
      }
    }
    return [...boxes.values()].map(({pts, labels, doubt, portrait}) =>
      `<g class="box${doubt ? ' doubt' : ''}${portrait ? ' portrait' : ''}" data-key="${esc(labels.join(' '))}">` +
      `<polygon points="${pts.map((p) => p.join(',')).join(' ')}"></polygon>` +
      `<text x="${pts[0][0]}" y="${pts[0][1] - w / 300}" font-size="${w / 70}">${esc(labels.join(', '))}</text></g>`).join('');
  },
  located: (it) => it.cards.some((c) => c.portraitBox || c.fields.some((f) => f.box)),

  // the same request for a shell: a photo is base64-encoded on the way in (stdin: a photo's
  // base64 is longer than one command-line argument may be)
  curl(it) {
    const body = it.file ? {image: '@IMAGE@'} : {url: it.url};
    if (it.side) body.side = it.side;
    for (const f of it.flags) body[f] = true;
    const [head, tail] = JSON.stringify(body).split('@IMAGE@');
    const post = `curl -s ${shq(`${location.origin}/v2/${this.projectId}/ocr/${it.doc}`)} \\\n` +
      `  -H ${shq(`X-Auth-Token: ${this.token}`)} -H 'Content-Type: application/json'`;
    if (!it.file) return `${post} \\\n  -d ${shq(head)}`;
    return `{ printf '%s' ${shq(head)}; base64 -w0 ${shq(it.name)}; printf '%s' ${shq(tail)}; } |\n${post} --data-binary @-`;
  },
  async copyCurl() {
    if (!navigator.clipboard) {  // only https pages (and this machine's own) may write it
      this.notice = 'This page may not use the clipboard: copy the command below.';
      return;
    }
    await navigator.clipboard.writeText(this.curl(this.item()));
    this.notice = 'The curl command is on the clipboard.';
  },

  // review exports: one record per card side, corrected values, built in the browser
  records() {
    return this.items.flatMap((it) => (it.cards.length ? it.cards : [null]).map((c) => ({
      card_id: `${this.batch}-${it.id}`, file: it.name, document: it.doc, side: c ? c.side : it.side,
      status: it.accepted ? 'accepted' : it.status, error_code: it.error ? it.error.code : '',
      fields: Object.fromEntries((c ? c.fields : []).map((f) => [f.key, f.boolean ? f.value === 'true' : f.value])),
      corrected: (c ? c.fields : []).filter((f) => f.value !== f.original).map((f) => f.key),
    })));
  },
  exportJsonl() {
    download('cards.jsonl', 'application/jsonl', this.records().map((r) => JSON.stringify(r) + '\n').join(''));
  },
  exportCsv() {
    const records = this.records();
    const keys = [...new Set(records.flatMap((r) => Object.keys(r.fields)))];
    const head = ['file', 'document', 'side', 'status', 'error_code', ...keys, 'corrected'];
    const rows = records.map((r) => [r.file, r.document, r.side, r.status, r.error_code,
      ...keys.map((k) => (k in r.fields ? r.fields[k] : '')), r.corrected.join(' ')]);
    download('cards.csv', 'text/csv', [head, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n');
  },
  // the review store, when the operator turned it on (README "Console")
  async saveOnServer() {
    const r = await this.call('/console/reviews', {records: this.records()}, this.token);
    this.storeNotice = r.error ? `${r.error.code}: ${r.error.says}`
      : `Saved ${r.json.saved} card sides on the server; they are deleted after ${r.json.retention_days} days.`;
  },
  async downloadSaved() {
    const r = await this.call('/console/reviews', null, this.token);
    if (r.error) { this.storeNotice = `${r.error.code}: ${r.error.says}`; return; }
    download('saved-cards.jsonl', 'application/jsonl', r.json.records.map((x) => JSON.stringify(x) + '\n').join(''));
  },
  clearAll() {
    this.items.forEach((it) => it.file && URL.revokeObjectURL(it.photo));
    this.items = [];
    this.current = 0;
  },
})));

function base64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(',', 2)[1] || '');
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// one CSV cell: quoted, and a leading = + - @ defused so a spreadsheet shows it as text
function csvCell(v) {
  const s = String(v);
  return `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
}

function download(name, type, text) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], {type}));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

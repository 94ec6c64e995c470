// The actorgrad live view: one EventSource per run (the browser resumes with Last-Event-ID on its
// own), uPlot for every curve, a canvas heat map per parameter, an SVG of the actors.

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const STEP_CHARTS = [
  { key: 'loss', title: 'training loss (per step)', smooth: true },
  { key: 'lr', title: 'learning rate', smooth: false },
  { key: 'gradNorm', title: 'gradient norm', smooth: true },
  { key: 'samplesPerSec', title: 'samples / s', smooth: true },
];
/** Client-side bound on the points kept per run (older ones are thinned to every other). */
const MAX_POINTS = 20000;

const runs = new Map();
const charts = new Map();
const view = { smooth: 0.6, log: false, xmode: 'step', focus: null, dirty: true, draws: 0 };
window.__viz = { runs, view };

// ---------------------------------------------------------------- runs and their events

function newRun(info) {
  const run = {
    info,
    color: COLORS[runs.size % COLORS.length],
    steps: { step: [], t: [], loss: [], lr: [], gradNorm: [], samplesPerSec: [] },
    epochs: [],
    hists: [],
    actors: { prev: null, cur: null },
    config: null,
    placement: null,
    log: [],
    state: info.state,
    reason: info.reason,
  };
  runs.set(info.id, run);
  const es = new EventSource(`api/runs/${encodeURIComponent(info.id)}/events`);
  es.addEventListener('batch', (m) => {
    for (const r of JSON.parse(m.data)) apply(run, r);
    view.dirty = true;
  });
  if (!view.focus) view.focus = info.id;
  return run;
}

function apply(run, r) {
  const e = r.e;
  switch (e.type) {
    case 'step':
      return pushStep(run, r);
    case 'epoch':
      run.epochs.push({ epoch: e.epoch, step: e.step, t: r.t, logs: e.logs });
      return;
    case 'histogram':
      run.hists.push({ step: e.step, params: e.params });
      if (run.hists.length > 400) run.hists = run.hists.filter((_, i) => i % 2 === 1 || i > 380);
      return;
    case 'actors':
      run.actors = { prev: run.actors.cur, cur: { t: r.t, list: e.actors } };
      return;
    case 'config':
      run.config = e.config;
      return;
    case 'state':
      run.state = e.state;
      run.reason = e.reason;
      break;
    case 'placement':
      run.placement = e;
      break;
    case 'run':
    case 'message':
      return;
  }
  run.log.push({ t: r.t, e });
}

function pushStep(run, r) {
  const s = run.steps;
  const e = r.e;
  s.step.push(e.step);
  s.t.push(r.t / 1000);
  for (const k of ['loss', 'lr', 'gradNorm', 'samplesPerSec']) s[k].push(Number.isFinite(e[k]) ? e[k] : null);
  if (s.step.length > MAX_POINTS) {
    const keep = (_, i) => i % 2 === 1 || i >= s.step.length - 2000;
    for (const k of Object.keys(s)) s[k] = s[k].filter(keep);
  }
}

async function pollRuns() {
  try {
    const res = await fetch('api/runs');
    if (!res.ok) return;
    for (const info of await res.json()) {
      const run = runs.get(info.id) ?? newRun(info);
      run.info = info;
    }
    renderRunList();
  } catch {
    // the server is gone or restarting: try again on the next poll
  }
}

// ---------------------------------------------------------------- curves

function xOf(run, step, t) {
  if (view.xmode === 'time') return t;
  if (view.xmode === 'epoch') return step / (run.config?.stepsPerEpoch || 1);
  return step;
}

function ema(values, a) {
  const out = new Array(values.length);
  let m = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v != null) m = m == null ? v : a * m + (1 - a) * v;
    out[i] = m;
  }
  return out;
}

/** Strictly increasing x (uPlot.join needs it), non-positive y dropped on a log scale. */
function table(xs, ...ys) {
  const x = [];
  const cols = ys.map(() => []);
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i] <= prev ? prev + 1e-9 : xs[i];
    prev = v;
    x.push(v);
    ys.forEach((y, k) => cols[k].push(view.log && !(y[i] > 0) ? null : y[i]));
  }
  return [x, ...cols];
}

function stepTables(key, smooth) {
  const tables = [];
  const series = [];
  for (const run of visibleRuns()) {
    const s = run.steps;
    if (!s.step.length) continue;
    const xs = s.step.map((st, i) => xOf(run, st, s.t[i]));
    const raw = s[key];
    if (smooth) {
      tables.push(table(xs, raw, ema(raw, view.smooth)));
      series.push({ label: `${run.info.name} (raw)`, stroke: fade(run.color), width: 1, spanGaps: true });
    } else tables.push(table(xs, raw));
    series.push({ label: run.info.name, stroke: run.color, width: 2, spanGaps: true });
  }
  return { tables, series };
}

function epochTables(key) {
  const tables = [];
  const series = [];
  for (const run of visibleRuns()) {
    const rows = run.epochs.filter((e) => key in e.logs);
    if (!rows.length) continue;
    const xs = rows.map((e) => (view.xmode === 'epoch' ? e.epoch + 1 : xOf(run, e.step, e.t / 1000)));
    tables.push(table(xs, rows.map((e) => e.logs[key])));
    series.push({ label: run.info.name, stroke: run.color, width: 2, spanGaps: true, points: { show: true, size: 6 } });
  }
  return { tables, series };
}

function fade(color) {
  return `${color}40`;
}

function visibleRuns() {
  return [...runs.values()].filter((r) => r.visible !== false);
}

/** Creates the chart again when its series changed, else just gives it the new data. */
function draw(id, title, { tables, series }) {
  const el = document.getElementById(id);
  if (!tables.length) return;
  const data = tables.length === 1 ? tables[0] : uPlot.join(tables);
  const shape = `${series.map((s) => s.label).join('|')}|${view.log}|${view.xmode}`;
  let c = charts.get(id);
  if (c && c.shape !== shape) {
    c.plot.destroy();
    c = null;
  }
  if (!c) {
    const xLabel = { step: 'step', epoch: 'epoch', time: 'seconds' }[view.xmode];
    const opts = {
      title,
      width: Math.max(300, el.clientWidth - 8),
      height: 220,
      scales: { x: { time: false }, y: { distr: view.log ? 3 : 1 } },
      axes: [{ label: xLabel }, { size: 64, values: (_, ticks) => ticks.map(fmtTick) }],
      series: [{ label: xLabel }, ...series],
      cursor: { drag: { x: true, y: false } },
    };
    c = { plot: new uPlot(opts, data, el), shape };
    charts.set(id, c);
  } else c.plot.setData(data);
}

function drawCharts() {
  for (const { key, title, smooth } of STEP_CHARTS) draw(`chart-${key}`, title, stepTables(key, smooth));
  const keys = new Set();
  for (const run of visibleRuns()) for (const e of run.epochs) for (const k of Object.keys(e.logs)) keys.add(k);
  const box = document.getElementById('epoch-charts');
  for (const k of [...keys].sort()) {
    const id = `chart-epoch-${k.replace(/[^\w-]/g, '_')}`;
    if (!document.getElementById(id)) {
      const div = document.createElement('div');
      div.className = 'chart';
      div.id = id;
      box.appendChild(div);
    }
    draw(id, `${k} (per epoch)`, epochTables(k));
  }
}

// ---------------------------------------------------------------- the focused run

function renderRunList() {
  const ul = document.getElementById('run-list');
  ul.replaceChildren(
    ...[...runs.values()].map((run) => {
      const li = document.createElement('li');
      li.className = run.info.id === view.focus ? 'focused' : '';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = run.visible !== false;
      box.title = 'overlay this run';
      box.onclick = (ev) => {
        ev.stopPropagation();
        run.visible = box.checked;
        view.dirty = true;
      };
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = run.color;
      const state = document.createElement('span');
      state.className = `state ${run.state}`;
      state.textContent = run.state;
      li.append(box, sw, `${run.info.name} `, state);
      li.onclick = () => {
        view.focus = run.info.id;
        view.dirty = true;
        renderRunList();
      };
      return li;
    }),
  );
}

function renderFocus() {
  const run = runs.get(view.focus);
  if (!run) return;
  document.getElementById('focus-name').textContent = run.info.name;
  const st = document.getElementById('focus-state');
  st.className = `state ${run.state}`;
  st.textContent = run.reason ? `${run.state}: ${run.reason}` : run.state;
  renderConfig(run);
  renderActors(run);
  renderHistograms(run);
  renderEvents(run);
}

function renderConfig(run) {
  const c = run.config;
  const el = document.getElementById('config');
  if (!c) return;
  const p = run.placement;
  const rows = [
    ['placement', p ? `${p.placement} — ${p.replicas} replica(s), ${p.shards} shard(s), ${p.threads} thread(s); ${p.reason}` : '…'],
    ['optimizer', JSON.stringify(c.optimizer)],
    ['schedule', c.schedule == null ? 'constant' : JSON.stringify(c.schedule)],
    ['epochs', `${c.epochs} × ${c.stepsPerEpoch} steps`],
    ['parameters', c.totalParams.toLocaleString()],
    ...c.layers.map((l) => [`layer ${l.name}`, `${l.type}${l.params ? ` — ${l.params.toLocaleString()} params ${Object.values(l.shapes).map((s) => `[${s.join('×')}]`).join(' ')}` : ''}`]),
  ];
  const t = document.createElement('table');
  for (const [k, v] of rows) t.insertRow().append(cell('th', k), cell('td', v));
  el.replaceChildren(t);
}

function cell(tag, text) {
  const c = document.createElement(tag);
  c.textContent = text;
  return c;
}

function renderEvents(run) {
  const ol = document.getElementById('events');
  if (ol.childElementCount === run.log.length && ol.dataset.run === run.info.id) return;
  ol.dataset.run = run.info.id;
  ol.replaceChildren(
    ...run.log.map(({ t, e }) => {
      const li = cell('li', `${(t / 1000).toFixed(1)} s  ${describe(e)}`);
      li.className = e.type === 'state' ? e.state : e.type;
      return li;
    }),
  );
}

function describe(e) {
  switch (e.type) {
    case 'placement':
      return `placement ${e.placement}: ${e.reason}`;
    case 'checkpoint':
      return `checkpoint at epoch ${e.epoch}, step ${e.step} (${e.reason}): ${e.path}`;
    case 'warning':
      return `warning at step ${e.step}: ${e.message}`;
    case 'nonfinite':
      return `non-finite ${e.what} at step ${e.step}: ${e.value}`;
    case 'error':
      return `error at step ${e.step}: ${e.message}`;
    case 'state':
      return `run ${e.state}${e.reason ? `: ${e.reason}` : ''}`;
    case 'config':
      return `configuration: ${e.config.totalParams.toLocaleString()} parameters`;
    case 'control':
      return `${e.action} at step ${e.step}${e.detail ? `: ${e.detail}` : ''}`;
    default:
      return e.type;
  }
}

// ---------------------------------------------------------------- actors

/** Groups 'layer 0:Linear#1' / 'loss crossEntropy#0' by actor, replicas in order, with busy %. */
function actorColumns(run) {
  const { prev, cur } = run.actors;
  if (!cur) return [];
  const before = new Map((prev?.list ?? []).map((a) => [a.name, a]));
  const dt = prev ? (cur.t - prev.t) * 1000 : cur.t * 1000;
  const cols = new Map();
  for (const a of cur.list) {
    const m = /^(.*)#(\d+)$/.exec(a.name);
    const base = m ? m[1] : a.name;
    const busy = dt > 0 ? (a.busyMicros - (before.get(a.name)?.busyMicros ?? 0)) / dt : 0;
    if (!cols.has(base)) cols.set(base, []);
    cols.get(base).push({ name: a.name, busy: Math.max(0, Math.min(1, busy)), queue: a.queueDepth });
  }
  return [...cols.entries()].map(([name, replicas]) => ({ name, replicas }));
}

function svg(tag, attrs, text) {
  const n = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text != null) n.textContent = text;
  return n;
}

function busyColor(b) {
  return `hsl(${Math.round(120 - 120 * b)}, 70%, ${Math.round(88 - 28 * b)}%)`;
}

function renderActors(run) {
  const el = document.getElementById('actors');
  const cols = actorColumns(run);
  const W = 130;
  const H = 38;
  const GAP = 40;
  const rows = Math.max(1, ...cols.map((c) => c.replicas.length));
  el.setAttribute('height', String(rows * (H + 8) + 40));
  el.setAttribute('viewBox', `0 0 ${Math.max(1, cols.length * (W + GAP))} ${rows * (H + 8) + 40}`);
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '6', markerHeight: '6', orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#666' }));
  const nodes = [svg('defs', {}), ...cols.flatMap((c, i) => actorColumn(c, i, W, H, GAP))];
  nodes[0].append(marker);
  for (let i = 0; i + 1 < cols.length; i++) nodes.push(...arrows(i, W, H, GAP));
  el.replaceChildren(...nodes);
}

function actorColumn(col, i, W, H, GAP) {
  const x = i * (W + GAP);
  const out = [];
  col.replicas.forEach((r, k) => {
    const y = 4 + k * (H + 8);
    const g = svg('g', { class: 'actor' });
    g.append(svg('rect', { x, y, width: W, height: H, rx: 4, fill: busyColor(r.busy), stroke: '#555' }));
    g.append(svg('text', { x: x + 6, y: y + 15 }, col.name + (col.replicas.length > 1 ? ` #${k}` : '')));
    g.append(svg('text', { x: x + 6, y: y + 30 }, `busy ${(100 * r.busy).toFixed(0)}% · queue ${r.queue}`));
    g.append(svg('title', {}, r.name));
    out.push(g);
  });
  return out;
}

function arrows(i, W, H, GAP) {
  const x0 = i * (W + GAP) + W + 2;
  const x1 = x0 + GAP - 4;
  return [
    svg('line', { x1: x0, y1: 4 + H * 0.3, x2: x1, y2: 4 + H * 0.3, stroke: '#666', 'marker-end': 'url(#arrow)' }),
    svg('line', { x1: x1, y1: 4 + H * 0.75, x2: x0, y2: 4 + H * 0.75, stroke: '#b55', 'stroke-dasharray': '3 2', 'marker-end': 'url(#arrow)' }),
  ];
}

// ---------------------------------------------------------------- histograms

function renderHistograms(run) {
  const box = document.getElementById('histograms');
  const last = run.hists.at(-1);
  if (!last) return;
  const key = `${run.info.id}:${run.hists.length}:${last.step}`;
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(
    ...last.params.flatMap((p) => [
      heatBox(`${p.name} weights`, run.hists.map((h) => h.params.find((q) => q.name === p.name)?.weights)),
      heatBox(`${p.name} gradients`, run.hists.map((h) => h.params.find((q) => q.name === p.name)?.grads)),
    ]),
  );
}

/** A heat map: one column per snapshot, its bins placed on the value axis shared by all columns. */
function heatBox(title, snaps) {
  const div = document.createElement('div');
  div.className = 'hist';
  const list = snaps.filter(Boolean);
  const lo = Math.min(...list.map((b) => b.min));
  const hi = Math.max(...list.map((b) => b.max));
  const canvas = document.createElement('canvas');
  canvas.width = 240;
  canvas.height = 100;
  const g = canvas.getContext('2d');
  g.fillStyle = '#fff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  const cw = canvas.width / Math.max(1, list.length);
  const y = (v) => canvas.height - ((v - lo) / (hi - lo || 1)) * canvas.height;
  list.forEach((b, i) => {
    const peak = Math.max(1, ...b.counts);
    const w = (b.max - b.min) / b.counts.length;
    b.counts.forEach((n, k) => {
      if (!n) return;
      g.fillStyle = `rgba(30, 90, 200, ${0.15 + 0.85 * (Math.log1p(n) / Math.log1p(peak))})`;
      const top = y(b.min + (k + 1) * w);
      g.fillRect(i * cw, top, Math.ceil(cw), Math.max(1, y(b.min + k * w) - top));
    });
  });
  div.append(cell('div', `${title}  [${fmt(lo)}, ${fmt(hi)}]`), canvas);
  return div;
}

function fmtTick(v) {
  if (v == null) return '';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(1) : String(+v.toPrecision(4));
}

function fmt(v) {
  return Number.isFinite(v) ? v.toPrecision(3) : '–';
}

// ---------------------------------------------------------------- controls and the render loop

function bindControls() {
  const smooth = document.getElementById('smooth');
  const out = document.getElementById('smooth-out');
  smooth.oninput = () => {
    view.smooth = Number(smooth.value);
    out.textContent = view.smooth.toFixed(2);
    view.dirty = true;
  };
  document.getElementById('logscale').onchange = (ev) => {
    view.log = ev.target.checked;
    view.dirty = true;
  };
  document.getElementById('xmode').onchange = (ev) => {
    view.xmode = ev.target.value;
    view.dirty = true;
  };
}

function render() {
  if (!view.dirty) return;
  view.dirty = false;
  drawCharts();
  renderFocus();
  view.draws++;
}

bindControls();
pollRuns();
setInterval(pollRuns, 1000);
setInterval(render, 250);

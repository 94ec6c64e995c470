// The sweep page: every trial's hyperparameters against the sweep's metric (one scatter per
// parameter, drawn by uPlot) and the trials' table, best first. Refreshed every 2 s from
// /sweeps/:id/data (the same access rule as the live view).
const id = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop());
const plots = new Map();
const COLORS = { finished: '#2e7d32', running: '#1565c0', paused: '#1565c0', failed: '#c62828', stopped: '#ef6c00', queued: '#9e9e9e' };

const fmt = (v) => (typeof v === 'number' ? Number(v.toPrecision(4)).toString() : JSON.stringify(v));

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.append(td);
}

function table(v, names) {
  const head = document.querySelector('#trials thead');
  head.innerHTML = '';
  const hr = document.createElement('tr');
  for (const [h, cls] of [['trial'], ['job', 'text'], ['state', 'text'], ['worker', 'text'], ...names.map((n) => [n]), [v.metric.name], ['epoch']]) {
    const th = document.createElement('th');
    th.textContent = h;
    if (cls) th.className = cls;
    hr.append(th);
  }
  head.append(hr);
  const body = document.querySelector('#trials tbody');
  body.innerHTML = '';
  v.trials.forEach((t, i) => {
    const tr = document.createElement('tr');
    if (i === 0 && t.metric !== null) tr.className = 'best';
    cell(tr, String(t.trial));
    cell(tr, t.id, 'text');
    cell(tr, t.state, `text state-${t.state}`);
    cell(tr, t.worker ?? '–', 'text');
    for (const n of names) cell(tr, fmt(t.params[n]));
    cell(tr, t.metric === null ? '–' : t.metric.toPrecision(5));
    cell(tr, `${t.epoch}/${t.epochs}`);
    body.append(tr);
  });
}

/** One parameter against the metric: numbers on a linear or log axis, other values by their index. */
function scatter(v, name) {
  const done = v.trials.filter((t) => t.metric !== null);
  const numeric = done.every((t) => typeof t.params[name] === 'number');
  const labels = numeric ? [] : [...new Set(done.map((t) => JSON.stringify(t.params[name])))];
  const xOf = (t) => (numeric ? t.params[name] : labels.indexOf(JSON.stringify(t.params[name])));
  const pts = done.map((t) => [xOf(t), t.metric]).sort((a, b) => a[0] - b[0]);
  const xs = pts.map((p) => p[0]);
  const log = numeric && xs.length > 1 && xs[0] > 0 && xs[xs.length - 1] / xs[0] >= 20;
  const data = [xs, pts.map((p) => p[1])];
  let box = plots.get(name);
  if (box && box.log === log && box.numeric === numeric) {
    box.plot.setData(data);
    return;
  }
  box?.plot.destroy();
  let div = document.getElementById(`plot-${name}`);
  if (!div) {
    div = document.createElement('div');
    div.className = 'plot';
    div.id = `plot-${name}`;
    div.innerHTML = `<h3>${v.metric.name} vs ${name}</h3>`;
    document.getElementById('plots').append(div);
  }
  const opts = {
    width: 380,
    height: 260,
    // Padded so that points at the ends (repeated values included) are inside the range uPlot draws.
    scales: { x: { time: false, distr: log ? 3 : 1, range: (_u, lo, hi) => (log ? [lo / 1.6, hi * 1.6] : [lo - Math.max((hi - lo) * 0.08, 0.5), hi + Math.max((hi - lo) * 0.08, 0.5)]) }, y: { auto: true } },
    axes: [{ label: name, values: numeric ? undefined : (_u, ticks) => ticks.map((i) => labels[i] ?? '') }, { label: v.metric.name }],
    legend: { show: false },
    series: [{}, { stroke: COLORS.finished, paths: () => null, points: { show: true, size: 9, fill: COLORS.finished } }],
  };
  box = { plot: new uPlot(opts, data, div), log, numeric };
  plots.set(name, box);
}

async function refresh() {
  const res = await fetch(`/sweeps/${encodeURIComponent(id)}/data${location.search}`);
  if (!res.ok) {
    document.getElementById('summary').textContent = await res.text();
    return;
  }
  const v = await res.json();
  const names = [...new Set(v.trials.flatMap((t) => Object.keys(t.params)))];
  document.getElementById('name').textContent = `${v.sweep.name} (${v.sweep.id})`;
  const ended = v.trials.filter((t) => ['finished', 'failed', 'stopped'].includes(t.state)).length;
  const best = v.trials[0]?.metric;
  document.getElementById('summary').textContent = `${ended} of ${v.sweep.total} trials ended, ${v.trials.length - ended} queued or running; ranked by ${v.metric.name} (${v.metric.mode})${best != null ? `; best ${best.toPrecision(5)}` : ''}`;
  for (const n of names) scatter(v, n);
  table(v, names);
  document.body.dataset.trials = String(v.trials.length);
}

/** For tests: how many points each scatter draws (uPlot's visible index range of its series). */
window.plotsShown = () => [...plots.values()].map(({ plot }) => {
  const [i0, i1] = plot.series[1].idxs ?? [0, -1];
  return i1 - i0 + 1;
});

refresh();
setInterval(refresh, 2000);

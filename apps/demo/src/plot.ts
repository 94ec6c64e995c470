/**
 * The demos' figures: Vega-Lite specifications compiled by `vega-lite` and rendered to SVG in Node
 * by `vega` (its headless `View.toSVG`, no canvas, no browser), written into `out/<demo>/`.
 *
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import { type TopLevelSpec, compile } from 'vega-lite';

/** `apps/demo/out`, where `pnpm demo <name>` writes `<name>/…` (git-ignored). */
export const OUT = resolve(fileURLToPath(new URL('../out/', import.meta.url)));

/** Renders a Vega-Lite specification to an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes `spec` as `<dir>/<file>.svg` and returns the path. */
export async function writeFigure(dir: string, file: string, spec: TopLevelSpec): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${file}.svg`);
  await writeFile(path, await renderSvg({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', background: 'white', ...spec } as TopLevelSpec));
  return path;
}

/** A table of the lecture's numbers beside ours: `| what | lecture | actorgrad | |`. */
export function table(rows: { what: string; lecture: string; ours: string; note?: string }[]): string {
  const head = ['what', 'lecture', 'actorgrad', ''];
  const cells = [head, ...rows.map((r) => [r.what, r.lecture, r.ours, r.note ?? ''])];
  const widths = head.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

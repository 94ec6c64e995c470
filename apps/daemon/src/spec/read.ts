import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { YAMLParseError, parse as parseYaml } from 'yaml';

/** A spec file that cannot be read or parsed: the message names the file, and the line and column of a syntax error. */
export class SpecFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}:${column}`}: ${message}`);
    this.name = 'SpecFileError';
  }
}

/** Line and column (1-based) of character `pos` of `text`. */
function lineCol(text: string, pos: number): [number, number] {
  const before = text.slice(0, pos).split('\n');
  return [before.length, before.at(-1)!.length + 1];
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /at position (\d+)/.exec(msg);
    const at = pos ? Number(pos[1]) : text.length;
    const [line, col] = lineCol(text, at);
    throw new SpecFileError(file, `invalid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`, line, col);
  }
}

function parseYamlText(file: string, text: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    if (!(e instanceof YAMLParseError)) throw e;
    const p = e.linePos?.[0];
    throw new SpecFileError(file, `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, p?.line, p?.col);
  }
}

/** Reads a job spec file: `.json` as JSON, `.yaml`/`.yml` as YAML (the `yaml` package, YAML 1.2). */
export async function readSpecFile(path: string): Promise<unknown> {
  const ext = extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(ext)) throw new SpecFileError(path, `expected a .json, .yaml or .yml file, got '${ext || 'no extension'}'`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new SpecFileError(path, `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return ext === '.json' ? parseJson(path, text) : parseYamlText(path, text);
}

/** Expands an ARCH / VARIANT selection into cells. Pure. */
import type { Config } from '../config/types.js';
import { ARCHES } from '../config/schema.js';
import type { Cell, Selection } from './types.js';
import { err, ok, type Result } from '../util/result.js';

/** Splits `a,b , c` into ['a','b','c']; undefined or blank means "all". */
export function parseList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function selectCells(config: Config, selection: Selection): Result<Cell[], string> {
  const known = [...config.variants.keys()];
  const badArch = selection.arches.filter((a) => !(ARCHES as readonly string[]).includes(a));
  const badVariant = selection.variants.filter((v) => !config.variants.has(v));
  const problems = [
    ...badArch.map((a) => `unknown ARCH "${a}": expected one of ${ARCHES.join(', ')}`),
    ...badVariant.map((v) => `unknown VARIANT "${v}": expected one of ${known.join(', ')}`),
  ];
  if (problems.length > 0) return err(problems.join('\n'));
  const variants = selection.variants.length > 0 ? selection.variants : known;
  const cells: Cell[] = [];
  for (const name of [...new Set(variants)].sort()) {
    const variant = config.variants.get(name);
    if (!variant) continue;
    const arches = variant.arches.filter((a) => selection.arches.length === 0 || selection.arches.includes(a));
    if (arches.length === 0 && selection.variants.length > 0) {
      problems.push(`VARIANT "${name}" is built for ${variant.arches.join(', ')} only, not for ${selection.arches.join(', ')}`);
    }
    cells.push(...[...arches].sort().map((arch) => ({ variant: name, arch })));
  }
  if (problems.length > 0) return err(problems.join('\n'));
  if (cells.length === 0) return err(`the selection ARCH=${selection.arches.join(',')} VARIANT=${selection.variants.join(',')} builds nothing`);
  return ok(cells);
}

/**
 * InfluxQL text for the store's reads. Values are quoted with InfluxQL's
 * string rules (backslash escapes), identifiers double-quoted; times are
 * validated integers written as µs literals (`1764000000000000u`).
 */
import type { OneOrMany } from '../types.ts';

export function quoteIdent(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function timeLiteral(tUs: number): string {
  if (!Number.isSafeInteger(tUs)) throw new RangeError(`time ${tUs} µs is not a safe integer`);
  return `${tUs}u`;
}

/** A WHERE clause under construction; `empty` marks a filter no row can pass (an empty list). */
export class Conditions {
  private readonly parts: string[] = [];
  empty = false;

  eq(tag: string, value: string | undefined): this {
    if (value !== undefined) this.parts.push(`${quoteIdent(tag)} = ${quoteString(value)}`);
    return this;
  }

  oneOf(tag: string, values: OneOrMany<string> | undefined): this {
    if (values === undefined) return this;
    const list = typeof values === 'string' ? [values] : values;
    if (list.length === 0) this.empty = true;
    else this.parts.push(`(${list.map((v) => `${quoteIdent(tag)} = ${quoteString(v)}`).join(' OR ')})`);
    return this;
  }

  /**
   * A string field that contains (`matches`) or does not contain `literal`, as
   * an InfluxQL regex. The literal is escaped for the regex and for the `/…/`
   * delimiters, so it matches itself only.
   */
  fieldMatches(field: string, literal: string, matches: boolean): this {
    const pattern = literal.replace(/[\\^$.|?*+()[\]{}\/]/g, (c) => `\\${c}`);
    this.parts.push(`${quoteIdent(field)} ${matches ? '=~' : '!~'} /${pattern}/`);
    return this;
  }

  time(fromUs: number | undefined, toUs: number | undefined): this {
    if (fromUs !== undefined) this.parts.push(`time >= ${timeLiteral(fromUs)}`);
    if (toUs !== undefined) this.parts.push(`time < ${timeLiteral(toUs)}`);
    return this;
  }

  atTime(tUs: number): Conditions {
    const copy = new Conditions();
    copy.parts.push(...this.parts, `time = ${timeLiteral(tUs)}`);
    copy.empty = this.empty;
    return copy;
  }

  toString(): string {
    return this.parts.length === 0 ? '' : ` WHERE ${this.parts.join(' AND ')}`;
  }
}

export function selectAll(measurement: string, where: Conditions, order: 'asc' | 'desc', limit?: number): string {
  return `SELECT * FROM ${quoteIdent(measurement)}${where} ORDER BY time ${order === 'asc' ? 'ASC' : 'DESC'}${limit === undefined ? '' : ` LIMIT ${limit}`}`;
}

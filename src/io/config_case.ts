import { toSnakeCase } from '../layers/naming.js';
import { isJsonObject } from './safe_json.js';

/**
 * Keras and TF.js files spell config keys in snake_case (`use_bias`, `class_name`); Myelin's
 * configs use camelCase (`useBias`, `className`). These convert keys only: values such as
 * activation names are Keras' spellings in both.
 *
 * @example toCamelKeys({ class_name: 'Dense', config: { use_bias: true } }); // { className: 'Dense', config: { useBias: true } }
 */
export function toCamelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toCamelKeys);
  if (!isJsonObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[snakeToCamel(k)] = toCamelKeys(v);
  return out;
}

/** The reverse of `toCamelKeys`. @example toSnakeKeys({ useBias: true }); // { use_bias: true } */
export function toSnakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeKeys);
  if (!isJsonObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[toSnakeCase(k)] = toSnakeKeys(v);
  return out;
}

function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, PARAM_DOCS, parameterKeys } from './params.ts';

describe('analyzer parameters', () => {
  it('documents every parameter, and documents nothing that is not one', () => {
    expect(Object.keys(PARAM_DOCS).sort()).toEqual(parameterKeys(DEFAULT_PARAMS).sort());
    for (const doc of Object.values(PARAM_DOCS)) expect(doc.length).toBeGreaterThan(10);
  });

  it('gives every parameter a finite default', () => {
    for (const key of parameterKeys()) {
      const value = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], DEFAULT_PARAMS);
      expect(Number.isFinite(value), key).toBe(true);
    }
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, expect, vi } from 'vitest';
import { decodeBase64 } from '../../src/nd/wasm';
import { mulberry32 } from './gemm-harness';

// The WASM loader must run in browsers: no Buffer, no Node built-ins. Its base64 decoder is
// checked against Node's own Buffer decoder (an independent implementation), and the loader is
// run with the Buffer global removed.

describe('wasm loader: decodeBase64', () => {
  it('matches Buffer for every length 0..70 and random bytes, with and without padding', () => {
    const rand = mulberry32(21);
    for (let n = 0; n <= 70; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      const b64 = Buffer.from(bytes).toString('base64');
      expect(Array.from(decodeBase64(b64))).toEqual(Array.from(bytes));
      expect(Array.from(decodeBase64(b64.replace(/=+$/, '')))).toEqual(Array.from(bytes));
    }
  });

  it('decodes all 256 byte values and the whole alphabet', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const b64 = Buffer.from(bytes).toString('base64');
    expect(b64).toContain('+');
    expect(b64).toContain('/');
    expect(Array.from(decodeBase64(b64))).toEqual(Array.from(bytes));
  });

  it('rejects characters outside the alphabet and impossible lengths', () => {
    expect(() => decodeBase64('AB-D')).toThrow(/not base64/);
    expect(() => decodeBase64('ABCDE')).toThrow(/cannot be base64/);
  });
});

describe('wasm loader: platform-neutral', () => {
  it('src/nd/wasm/index.ts and gemm.ts name no Buffer and import no Node built-in', () => {
    const root = path.resolve(__dirname, '../..');
    for (const file of ['src/nd/wasm/index.ts', 'src/nd/wasm/gemm-wasm.ts', 'src/nd/gemm.ts', 'src/nd/matmul.ts']) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/\bBuffer\b/);
      expect(code, file).not.toMatch(/from ['"](node:|fs|path|os|url|module|worker_threads|child_process)/);
      expect(code, file).not.toMatch(/\bprocess\.env\b/);
    }
  });

  it('loads and multiplies with the Buffer and process globals removed', async () => {
    vi.resetModules();
    vi.stubGlobal('Buffer', undefined);
    vi.stubGlobal('process', undefined);
    let C: Float32Array;
    let ok: boolean;
    try {
      const fresh = await import('../../src/nd/wasm/index.js');
      expect(fresh.wasmDisabledByEnv()).toBe(false);
      // 2×3 · 3×8 (one full 8-column panel, a partial 4-row one)
      const A = Float32Array.from([1, 2, 3, 4, 5, 6]);
      const B = Float32Array.from({ length: 24 }, (_, i) => i - 7);
      C = new Float32Array(16);
      ok = fresh.gemmWasm(false, false, 2, 8, 3, A, 0, 3, B, 0, 8, C, 0, 8, 0);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
    expect(ok).toBe(true);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 8; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += (3 * i + k + 1) * (8 * k + j - 7);
        expect(C[i * 8 + j]).toBe(s);
      }
    }
  });
});

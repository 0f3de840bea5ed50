// TEMPORARY (see scripts/browser-build.mjs): the one use of Node's Buffer in the library,
// Buffer.from(base64, 'base64') in src/nd/wasm/index.ts, made with the browser's atob.
export const Buffer = {
  from(text, encoding) {
    if (encoding !== 'base64') throw new Error(`browser Buffer shim: only base64 is supported, got ${encoding}`);
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  },
};

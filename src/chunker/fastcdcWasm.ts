// Loads dist/wasm/fastcdc.wasm (built from wasm/fastcdc.ts) synchronously, compiles it once
// per process and hands out fresh instances: each instance has its own memory, so each
// concurrent stream gets its own. The exports are described in wasm/fastcdc.ts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The instance's exports (wasm/fastcdc.ts). Pointers are byte offsets into `memory`. */
export interface FastcdcExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  gearBasePtr(): number;
  outLengthsPtr(): number;
  outHashesPtr(): number;
  outCapacity(): number;
  inputPtr(): number;
  configure(min: number, avg: number, max: number, level: number, seed: bigint): void;
  scan(start: number, end: number, eof: number): number;
}

// Node 20's type definitions and the ES2022 library do not describe WebAssembly; this is the
// part used here.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

const WASM_URL = new URL('../../wasm/fastcdc.wasm', import.meta.url);

let compiled: object | undefined;

function compile(): object {
  let bytes: Buffer;
  try {
    bytes = readFileSync(WASM_URL);
  } catch (err) {
    throw new Error(`the FastCDC WebAssembly module is missing (${fileURLToPath(WASM_URL)}); run 'npm run build:wasm'`, { cause: err });
  }
  return new WebAssembly.Module(bytes);
}

/** A new FastCDC instance with its own memory. */
export function instantiateFastcdc(): FastcdcExports {
  compiled ??= compile();
  return new WebAssembly.Instance(compiled, {}).exports as FastcdcExports;
}

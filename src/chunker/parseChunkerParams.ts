// Turns chunker settings as typed on a command line (sizes with suffixes, a decimal or 0x-hex
// seed) into validated ChunkerParams, so every command that takes them parses them the same way.
import { DedupfsError } from '../core/errors.js';
import { parseSize } from '../core/size.js';
import { DEFAULT_CHUNKER_PARAMS, validateChunkerParams, type ChunkerParams, type NormalizationLevel } from './params.js';

export interface ChunkerOptionsText {
  min?: string;
  avg?: string;
  max?: string;
  level?: number;
  seed?: string;
}

function parseSeed(text: string): bigint {
  if (!/^\s*(\d+|0x[0-9a-f]+)\s*$/i.test(text)) {
    throw new DedupfsError('USAGE', `invalid seed '${text}' (use a 64-bit integer, decimal or 0x hex)`);
  }
  return BigInt(text.trim());
}

/** Parses and validates; options left out take DEFAULT_CHUNKER_PARAMS. Throws DedupfsError('USAGE'). */
export function parseChunkerParams(options: ChunkerOptionsText): ChunkerParams {
  const params: ChunkerParams = {
    min: options.min === undefined ? DEFAULT_CHUNKER_PARAMS.min : parseSize(options.min),
    avg: options.avg === undefined ? DEFAULT_CHUNKER_PARAMS.avg : parseSize(options.avg),
    max: options.max === undefined ? DEFAULT_CHUNKER_PARAMS.max : parseSize(options.max),
    level: (options.level ?? DEFAULT_CHUNKER_PARAMS.level) as NormalizationLevel,
    seed: options.seed === undefined ? DEFAULT_CHUNKER_PARAMS.seed : parseSeed(options.seed),
  };
  validateChunkerParams(params);
  return params;
}

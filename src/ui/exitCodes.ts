// The single table from error codes to process exit statuses. man/dedupfs.1 (EXIT STATUS)
// documents the same table; test/ui/exitCodes.test.ts keeps the two in agreement.
import type { ErrorCode } from '../core/errors.js';

export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  WARNINGS: 3,
  NO_REPOSITORY: 10,
  LOCKED: 11,
  WRONG_PASSWORD: 12,
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'USAGE': return EXIT.USAGE;
    case 'NO_REPOSITORY': return EXIT.NO_REPOSITORY;
    case 'LOCKED': return EXIT.LOCKED;
    case 'WRONG_PASSWORD': return EXIT.WRONG_PASSWORD;
    case 'INTERRUPTED': return EXIT.INTERRUPTED;
    case 'TERMINATED': return EXIT.TERMINATED;
    default: return EXIT.ERROR;
  }
}

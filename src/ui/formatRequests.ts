// Human text for the requests a command sent to a bucket (Backend.requestCounts).
import type { RequestCounts } from '../backend/backend.js';

/** "  S3 requests        8 (put 2, get 1, head 1, list 3, delete 1)". */
export function formatRequests(c: RequestCounts): string {
  const total = c.put + c.get + c.head + c.list + c.delete;
  return `  S3 requests        ${total} (put ${c.put}, get ${c.get}, head ${c.head}, list ${c.list}, delete ${c.delete}${c.retries ? `, ${c.retries} retried` : ''})\n`;
}

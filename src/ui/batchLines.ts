// Joins short output lines into pieces of about 64 KiB before they reach stdout: a listing of
// millions of entries written line by line would cost a write (and a drain wait) per line.
export async function* batchLines(lines: AsyncIterable<string>, size = 1 << 16): AsyncGenerator<string> {
  let text = '';
  for await (const line of lines) {
    text += line;
    if (text.length >= size) {
      yield text;
      text = '';
    }
  }
  if (text) yield text;
}

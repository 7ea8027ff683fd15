/** Keeps a copy of a streamed body for last-good, giving up (without affecting the stream) past `maxBytes`. */
export function boundedCapture(maxBytes: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let overflowed = false;
  return {
    onChunk: (chunk: Buffer) => {
      if (overflowed) return;
      size += chunk.length;
      if (size > maxBytes) {
        overflowed = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    },
    overflowed: () => overflowed,
    body: () => Buffer.concat(chunks, size),
  };
}

import { initialFlags, type FlagsDocument } from '../../../contracts/flags/flags-document';
import { MemoryFlags } from '../../../guard/flags/memory-flags';

const doc = (version: number, level = 0): FlagsDocument => ({
  ...initialFlags(new Date('2026-11-27T09:00:00Z')),
  version,
  level,
});

describe('MemoryFlags', () => {
  it('starts empty: read() gives nothing, current() the initial document', async () => {
    const flags = new MemoryFlags();
    await flags.start();
    expect(await flags.read()).toBeUndefined();
    expect(flags.current()).toEqual(initialFlags());
    await flags.close();
  });

  it('stores only newer versions and tells listeners after current() already returns the new document', async () => {
    const flags = new MemoryFlags();
    const seen: Array<[number, number]> = [];
    flags.onChange((d) => seen.push([d.version, flags.current().version]));
    expect(await flags.write(doc(2, 1))).toMatchObject({ written: true, current: { version: 2 } });
    expect(await flags.write(doc(2, 3))).toMatchObject({ written: false, current: { version: 2, level: 1 } });
    expect(await flags.write(doc(1, 3))).toMatchObject({ written: false });
    expect(seen).toEqual([[2, 2]]);
    expect(flags.current().level).toBe(1);
  });

  it('hands out copies, so a reader cannot change the stored document', async () => {
    const flags = new MemoryFlags(doc(1));
    flags.current().level = 9;
    (await flags.read())!.level = 9;
    expect(flags.current().level).toBe(0);
  });

  it('stops notifying after unsubscribe and after close, and survives a throwing listener', async () => {
    const flags = new MemoryFlags();
    const seen: number[] = [];
    flags.onChange(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = flags.onChange((d) => seen.push(d.version));
    await flags.write(doc(1));
    unsubscribe();
    await flags.write(doc(2));
    const other: number[] = [];
    flags.onChange((d) => other.push(d.version));
    await flags.close();
    await flags.write(doc(3));
    expect(seen).toEqual([1]);
    expect(other).toEqual([]);
    await expect(flags.start()).rejects.toThrow(/after close/);
  });

  it('refuses an invalid document at once', async () => {
    await expect(new MemoryFlags().write({ ...doc(1), level: 42 })).rejects.toThrow();
    expect(() => new MemoryFlags({ ...doc(1), version: -1 })).toThrow();
  });
});

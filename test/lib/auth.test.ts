import { createAccessTokens } from '../../lib/auth';

// Access tokens are verified once and then remembered (lib/auth.ts): remembering must not keep an
// expired token alive, nor let a token signed with another secret, or a tampered one, through.
describe('access tokens, remembered once verified', () => {
  const secret = 'a'.repeat(48);
  afterEach(() => jest.useRealTimers());

  test('a remembered token is still refused once it has expired', async () => {
    // Only the clock is faked: WebCrypto's promises still settle.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: new Date('2026-12-03T08:00:00Z') });
    const tokens = createAccessTokens(secret, 60);
    const { token } = await tokens.issue('person-1');
    expect(await tokens.verify(token)).toBe('person-1');
    jest.setSystemTime(new Date('2026-12-03T08:00:59Z'));
    expect(await tokens.verify(token)).toBe('person-1');
    jest.setSystemTime(new Date('2026-12-03T08:01:01Z'));
    expect(await tokens.verify(token)).toBeNull();
    // Forgotten, and still refused when asked again.
    expect(await tokens.verify(token)).toBeNull();
  });

  test('a token verified by one secret is not accepted by another, nor once tampered with', async () => {
    const ours = createAccessTokens(secret, 60);
    const theirs = createAccessTokens('b'.repeat(48), 60);
    const { token } = await theirs.issue('person-2');
    expect(await theirs.verify(token)).toBe('person-2');
    expect(await ours.verify(token)).toBeNull();
    const mine = (await ours.issue('person-3')).token;
    expect(await ours.verify(mine)).toBe('person-3');
    const [header, , signature] = mine.split('.');
    const forged = [header, Buffer.from(JSON.stringify({ sub: 'admin', iss: 'rectify', exp: 4_000_000_000 })).toString('base64url'), signature].join('.');
    expect(await ours.verify(forged)).toBeNull();
  });
});

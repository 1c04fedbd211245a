// Lookaside blob formats (containers/image FromBlob, first byte) and
// signature URLs (lookasideStorageURL), research/signatures.md §2.
import assert from 'node:assert/strict';
import { isBobError } from '../../../../src/shared/index.ts';
import { isRejectionError } from '../../../../src/verify/errors.ts';
import { toLookasideBlob, toLookasideUrl } from '../../../../src/verify/simple-signing/index.ts';

const HEX = 'ab'.repeat(32);
const DIGEST = `sha256:${HEX}`;

describe('verify: simple signing lookaside', () => {
  describe('blob format detection', () => {
    it('takes every OpenPGP first byte containers/image lists as a raw GPG blob, 0x3d included', () => {
      for (const first of [0xa0, 0xa1, 0xa2, 0xa3, 0xc8, 0x90, 0x91, 0x92, 0x3d, 0xc4, 0x88, 0x89, 0x8a, 0x8b, 0xc2]) {
        const blob = Uint8Array.of(first, 1, 2, 3);
        assert.deepEqual(toLookasideBlob(blob), { format: 'simple-signing', data: blob }, first.toString(16));
      }
    });

    it('reads the \\0<format>\\n header of the newer layout', () => {
      const simple = toLookasideBlob(Buffer.from('\0simple-signing\n\xa3\x01xyz', 'latin1'));
      assert.equal(simple.format, 'simple-signing');
      assert.deepEqual([...simple.data], [0xa3, 0x01, 0x78, 0x79, 0x7a]);
      const sigstore = toLookasideBlob(Buffer.from('\0sigstore-json\n{"mimeType":"x"}'));
      assert.equal(sigstore.format, 'sigstore-json');
      assert.equal(Buffer.from(sigstore.data).toString(), '{"mimeType":"x"}');
    });

    const refused: [string, Uint8Array, RegExp][] = [
      ['empty', new Uint8Array(0), /empty signature blob/],
      ['ASCII armor', Buffer.from('-----BEGIN PGP MESSAGE-----\n'), /starting with byte 0x2d/],
      ['HTML', Buffer.from('<html>'), /starting with byte 0x3c/],
      ['0x93 (not in containers/image\'s list)', Uint8Array.of(0x93, 0), /starting with byte 0x93/],
      ['an unknown format name', Buffer.from('\0cosign\ndata'), /unrecognized signature format "cosign"/],
      ['a header without newline', Buffer.from('\0simple-signing'), /missing newline/],
      ['a non-ASCII format name', Buffer.from('\0simple\x01signing\n'), /non-ASCII byte 0x01/],
    ];
    for (const [name, blob, message] of refused) {
      it(`refuses ${name}`, () => {
        assert.throws(() => toLookasideBlob(blob), (error: unknown) =>
          isRejectionError(error) && error.code === 'SIGNATURE_INVALID' && message.test(error.message));
      });
    }
  });

  describe('signature URLs', () => {
    const cases: [string, string, number, string][] = [
      ['https://example.com/lookaside', 'library/busybox', 1, `https://example.com/lookaside/library/busybox@sha256=${HEX}/signature-1`],
      ['https://example.com', 'ns/app', 2, `https://example.com/ns/app@sha256=${HEX}/signature-2`],
      // containers/image concatenates: a trailing slash gives an empty path segment.
      ['https://example.com/', 'ns/app', 1, `https://example.com//ns/app@sha256=${HEX}/signature-1`],
      ['http://127.0.0.1:8080/sigs?x=1', 'app', 3, `http://127.0.0.1:8080/sigs/app@sha256=${HEX}/signature-3?x=1`],
      ['file:///var/lib/containers/sigstore', 'library/busybox', 1, `file:///var/lib/containers/sigstore/library/busybox@sha256=${HEX}/signature-1`],
    ];
    for (const [base, repository, index, expected] of cases) {
      it(`${base} + ${repository} #${String(index)}`, () => {
        assert.equal(toLookasideUrl(base, repository, DIGEST, index).href, expected);
      });
    }

    it('uses the digest algorithm name', () => {
      const digest = `sha512:${'cd'.repeat(64)}`;
      assert.equal(toLookasideUrl('https://x.test', 'a', digest, 1).pathname, `/a@sha512=${'cd'.repeat(64)}/signature-1`);
    });

    it('refuses other schemes, non-URLs and invalid digests with CONFIG_INVALID', () => {
      for (const [base, digest] of [['ftp://x.test/s', DIGEST], ['/var/lib/sigstore', DIGEST], ['https://x.test', 'sha256:../../etc'], ['https://x.test', `SHA256:${HEX}`]] as const) {
        assert.throws(() => toLookasideUrl(base, 'a', digest, 1), (error: unknown) => isBobError(error, 'CONFIG_INVALID'), `${base} ${digest}`);
      }
    });
  });
});

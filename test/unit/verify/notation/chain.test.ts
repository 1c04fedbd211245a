import assert from 'node:assert/strict';
import { parseCertificate } from '../../../../src/verify/notation/certificate.ts';
import { assertCodeSigningChain, ChainError } from '../../../../src/verify/notation/chain.ts';
import { certificate, codeSigningChain, keyPair, KU, LEAF_SUBJECT, OIDS, type IssuedCertificate } from './pki.ts';

function check(...chain: IssuedCertificate[]): void {
  assertCodeSigningChain(chain.map((issued) => parseCertificate(issued.der)));
}

function refused(pattern: RegExp, ...chain: IssuedCertificate[]): void {
  assert.throws(() => {
    check(...chain);
  }, (error: unknown) => error instanceof ChainError && pattern.test(error.message));
}

const CA_SUBJECT = [['C', 'US'], ['ST', 'WA'], ['O', 'Acme'], ['CN', 'Acme Intermediate']] as const;

describe('verify/notation: code-signing chain rules', () => {
  const { root, leaf } = codeSigningChain();

  it('accepts leaf → root, and leaf → intermediate → root', () => {
    check(leaf, root);
    const intermediate = certificate({
      subject: CA_SUBJECT, key: keyPair('p256#intermediate'), issuer: { certificate: root },
      basicConstraints: { ca: true, pathLen: 0 }, keyUsage: { bits: [KU.keyCertSign] },
    });
    const lower = certificate({
      subject: LEAF_SUBJECT, key: keyPair('p256#leaf'), issuer: { certificate: intermediate },
      basicConstraints: { ca: false }, keyUsage: { bits: [KU.digitalSignature] },
    });
    check(lower, intermediate, root);
  });

  it('accepts a lone self-signed leaf, which must still follow the leaf rules', () => {
    const self = certificate({ subject: LEAF_SUBJECT, key: keyPair('p256#self'), keyUsage: { bits: [KU.digitalSignature] }, extKeyUsage: { oids: [OIDS.codeSigning] } });
    check(self);
    refused(/key usage extension must be present/, certificate({ subject: LEAF_SUBJECT, key: keyPair('p256#self') }));
    refused(/invalid self-signed certificate/, leaf);
  });

  it('refuses an incomplete chain (no root) or a wrong order', () => {
    // A lone certificate is read as a self-signed signing certificate (notation-core-go).
    refused(/invalid self-signed certificate/, leaf);
    refused(/leaf certificate with subject "CN=Acme Root.* is self-signed/, root, leaf);
  });

  it('refuses a self-signed leaf or intermediate inside a longer chain', () => {
    const self = certificate({ subject: LEAF_SUBJECT, key: keyPair('p256#self'), basicConstraints: { ca: true }, keyUsage: { bits: [KU.digitalSignature, KU.keyCertSign] } });
    refused(/leaf certificate with subject .* is self-signed/, self, root);
    refused(/intermediate certificate with subject .* is self-signed/, leaf, root, root);
  });

  it('refuses a certificate not issued by the next one', () => {
    const other = codeSigningChain({ rootKey: 'p256#otherroot', root: { subject: [['C', 'US'], ['ST', 'WA'], ['O', 'Other'], ['CN', 'Other Root']] } });
    refused(/is not issued by/, leaf, other.root);
    // Same subject, different key: names chain but the signature does not.
    const impostor = certificate({ ...root.spec, key: keyPair('p256#impostor') });
    refused(/is not issued by/, leaf, impostor);
  });

  it('refuses SHA-1 signed certificates (Go: insecure algorithm)', () => {
    const sha1Leaf = certificate({ ...leaf.spec, hash: 'sha1' });
    refused(/is not issued by/, sha1Leaf, root);
  });

  it('enforces CA basic constraints, pathLen and key usage', () => {
    const noCa = certificate({ ...root.spec, basicConstraints: { ca: false } });
    const leafOfNoCa = certificate({ ...leaf.spec, issuer: { certificate: noCa } });
    refused(/is not issued by|not self-signed/, leafOfNoCa, noCa);
    const intermediate = certificate({
      subject: CA_SUBJECT, key: keyPair('p256#intermediate'), issuer: { certificate: root },
      basicConstraints: { ca: true, pathLen: 0 }, keyUsage: { bits: [KU.keyCertSign] },
    });
    const tightRoot = certificate({ ...root.spec, basicConstraints: { ca: true, pathLen: 0 } });
    const intermediateOfTight = certificate({ ...intermediate.spec, issuer: { certificate: tightRoot } });
    const lower = certificate({ ...leaf.spec, issuer: { certificate: intermediateOfTight } });
    refused(/expected path length of 1 but certificate has maxPathLen 0/, lower, intermediateOfTight, tightRoot);
    const nonCriticalKu = certificate({ ...root.spec, keyUsage: { bits: [KU.keyCertSign], critical: false } });
    refused(/key usage extension must be marked critical/, certificate({ ...leaf.spec, issuer: { certificate: nonCriticalKu } }), nonCriticalKu);
    const noKu = certificate({ ...root.spec, keyUsage: undefined });
    refused(/key usage extension must be present/, certificate({ ...leaf.spec, issuer: { certificate: noKu } }), noKu);
  });

  it('enforces the leaf rules: not a CA, critical digitalSignature, forbidden usages and EKUs', () => {
    refused(/ca field must be set to false/, certificate({ ...leaf.spec, basicConstraints: { ca: true }, keyUsage: { bits: [KU.digitalSignature, KU.keyCertSign] } }), root);
    refused(/key usage extension must be marked critical/, certificate({ ...leaf.spec, keyUsage: { bits: [KU.digitalSignature], critical: false } }), root);
    refused(/key usage extension must be present/, certificate({ ...leaf.spec, keyUsage: undefined }), root);
    refused(/digital signature set/, certificate({ ...leaf.spec, keyUsage: { bits: [KU.contentCommitment] } }), root);
    for (const bit of [KU.keyEncipherment, KU.dataEncipherment, KU.keyAgreement, KU.keyCertSign, KU.cRLSign]) {
      refused(/key usage must not have the bit positions/, certificate({ ...leaf.spec, keyUsage: { bits: [KU.digitalSignature, bit] } }), root);
    }
    check(certificate({ ...leaf.spec, keyUsage: { bits: [KU.digitalSignature, KU.contentCommitment] } }), root);
    for (const [eku, label] of [[OIDS.serverAuth, 'serverAuth'], [OIDS.clientAuth, 'clientAuth'], [OIDS.emailProtection, 'emailProtection'], [OIDS.timeStamping, 'timeStamping'], [OIDS.ocspSigning, 'OCSPSigning']] as const) {
      refused(new RegExp(`must not contain ${label} eku`), certificate({ ...leaf.spec, extKeyUsage: { oids: [OIDS.codeSigning, eku] } }), root);
    }
    check(certificate({ ...leaf.spec, extKeyUsage: undefined }), root);
  });

  it('enforces key sizes and types', () => {
    const small = certificate({ ...leaf.spec, key: keyPair('rsa1024') });
    refused(/RSA key size 1024 bits is not supported/, small, root);
    const k1 = certificate({ ...leaf.spec, key: keyPair('secp256k1') });
    refused(/unsupported public key type ec secp256k1/, k1, root);
  });
});

/**
 * Which requirements apply to an image: the "most specific scope wins"
 * lookup of containers/image (signature/policy_eval.go,
 * docker/policyconfiguration/naming.go; research/signatures.md §1.5).
 *
 * bob's intended reference (decision, research §1.5 "K8s pitfall"):
 * containers/image's docker transport refuses `name:tag@digest`. bob
 * always verifies the resolved `repo@digest`, but the user asked for the
 * tag, so a tag+digest reference is evaluated as `name:tag` (scope
 * lookup and signedIdentity), exactly as skopeo evaluates
 * `docker://name:tag` that resolved to that digest; the digest itself is
 * enforced by requiring every signature's docker-manifest-digest to equal
 * the subject's. A name-only reference means `name:latest` (TagNameOnly).
 */
import {
  parseNormalizedNamed, toReferenceName, type DockerReference,
} from './docker-reference.ts';
import type { Policy, PolicyRequirements } from './policy-types.ts';

export const DOCKER_TRANSPORT = 'docker';

/** The reference policy.json reasons about: tag wins over digest, name-only gets `latest`. */
export function toIntendedReference(reference: DockerReference): DockerReference {
  if (reference.tag !== undefined) return { domain: reference.domain, path: reference.path, tag: reference.tag };
  if (reference.digest !== undefined) return { domain: reference.domain, path: reference.path, digest: reference.digest };
  return { domain: reference.domain, path: reference.path, tag: 'latest' };
}

/** PolicyConfigurationIdentity: `name:tag` or `name@digest` of the intended reference. */
export function toPolicyIdentity(reference: DockerReference): string {
  const intended = toIntendedReference(reference);
  return intended.tag === undefined ? `${toReferenceName(intended)}@${intended.digest ?? ''}` : `${toReferenceName(intended)}:${intended.tag}`;
}

/**
 * PolicyConfigurationNamespaces, most specific first: the repository and
 * each parent down to `host[:port]`, then `*.domain` wildcards with the
 * port dropped, one label at a time (never the bare host itself).
 */
export function toPolicyNamespaces(reference: DockerReference): string[] {
  const namespaces: string[] = [];
  let name = toReferenceName(reference);
  for (;;) {
    namespaces.push(name);
    const slash = name.lastIndexOf('/');
    if (slash === -1) break;
    name = name.slice(0, slash);
  }
  const colon = name.indexOf(':');
  let host = colon === -1 ? name : name.slice(0, colon);
  for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.')) {
    host = host.slice(dot + 1);
    namespaces.push(`*.${host}`);
  }
  return namespaces;
}

/** The requirements that apply, and the scope that selected them (undefined: the global `default`). */
export interface SelectedRequirements {
  readonly scope?: string;
  readonly requirements: PolicyRequirements;
}

/**
 * requirementsFor: full `name:tag`/`name@digest`, then the namespaces,
 * then the transport's `""`, then `default`. `reference` is a docker
 * reference string (normalised like ParseNormalizedNamed) or a parsed one.
 */
export function requirementsFor(policy: Policy, reference: string | DockerReference): SelectedRequirements {
  const parsed = typeof reference === 'string' ? parseNormalizedNamed(reference) : reference;
  const scopes = policy.transports.get(DOCKER_TRANSPORT);
  if (scopes !== undefined) {
    for (const scope of [toPolicyIdentity(parsed), ...toPolicyNamespaces(parsed), '']) {
      const requirements = scopes.get(scope);
      if (requirements !== undefined) return { scope, requirements };
    }
  }
  return { requirements: policy.default };
}

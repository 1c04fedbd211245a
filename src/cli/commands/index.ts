/**
 * Every bobctl verb, in the order `bobctl help` lists them. Verbs load on
 * demand: a pull does not pay for the modules of list or describe.
 */
import type { Command } from '../command.ts';

export interface CommandEntry {
  readonly name: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'push artifact', load: async () => (await import('./push-artifact.ts')).pushArtifact },
  { name: 'pull artifact', load: async () => (await import('./pull-artifact.ts')).pullArtifact },
  { name: 'tag artifact', load: async () => (await import('./tag-artifact.ts')).tagArtifact },
  { name: 'list artifacts', load: async () => (await import('./list-artifacts.ts')).listArtifacts },
  { name: 'describe artifact', load: async () => (await import('./describe-artifact.ts')).describeArtifact },
  { name: 'diff artifact', load: async () => (await import('./diff-artifact.ts')).diffArtifact },
  { name: 'build artifact', load: async () => (await import('./build-artifact.ts')).buildArtifact },
  { name: 'link artifact', load: async () => (await import('./link-artifact.ts')).linkArtifact },
  { name: 'discover', load: async () => (await import('./discover.ts')).discover },
  { name: 'generate-key-pair', load: async () => (await import('./generate-key-pair.ts')).generateKeyPair },
  { name: 'sign artifact', load: async () => (await import('./sign-artifact.ts')).signArtifact },
  { name: 'verify artifact', load: async () => (await import('./verify-artifact.ts')).verifyArtifact },
];

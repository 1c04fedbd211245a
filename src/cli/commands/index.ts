/** Every bobctl verb, in the order `bobctl help` lists them. */
import type { Command } from '../command.ts';
import { buildArtifact } from './build-artifact.ts';
import { describeArtifact } from './describe-artifact.ts';
import { diffArtifact } from './diff-artifact.ts';
import { discover } from './discover.ts';
import { linkArtifact } from './link-artifact.ts';
import { listArtifacts } from './list-artifacts.ts';
import { pullArtifact } from './pull-artifact.ts';
import { pushArtifact } from './push-artifact.ts';
import { tagArtifact } from './tag-artifact.ts';

export const COMMANDS: readonly Command[] = [
  pushArtifact,
  pullArtifact,
  tagArtifact,
  listArtifacts,
  describeArtifact,
  diffArtifact,
  buildArtifact,
  linkArtifact,
  discover,
];

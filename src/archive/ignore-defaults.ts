/**
 * Default exclusions, after fluxcd/pkg/sourceignore (research/flux.md §4.4).
 * `flux push artifact --ignore-paths` defaults to VCS + extensions; the
 * controller adds the CI and extra lists when no user pattern exists.
 */

/** Version-control metadata: never content. Flux lists git only; the rest are the same idea. */
export const VCS_IGNORE_PATTERNS: readonly string[] = [
  '.git/', '.gitignore', '.gitmodules', '.gitattributes',
  '.hg/', '.hgignore', '.hgtags', '.svn/', '.bzr/', '.bzrignore', 'CVS/', '_darcs/', '.fossil-settings/',
];

/** Binary and archive files (Flux ExcludeExt). */
export const EXTENSION_IGNORE_PATTERNS: readonly string[] = [
  '*.jpg', '*.jpeg', '*.gif', '*.png', '*.wmv', '*.flv', '*.tar.gz', '*.zip',
];

/** CI configuration (Flux ExcludeCI). */
export const CI_IGNORE_PATTERNS: readonly string[] = [
  '.github/', '.circleci/', '.travis.yml', '.gitlab-ci.yml', 'appveyor.yml', '.drone.yml',
  'cloudbuild.yaml', 'codeship-services.yml', 'codeship-steps.yml',
];

/** Tool files Flux also drops (Flux ExcludeExtra). */
export const EXTRA_IGNORE_PATTERNS: readonly string[] = ['**/.goreleaser.yml', '**/.sops.yaml', '**/.flux.yaml'];

/** What packing excludes unless told otherwise: the `flux push artifact` default (VCS + extensions). */
export const DEFAULT_IGNORE_PATTERNS: readonly string[] = [...VCS_IGNORE_PATTERNS, ...EXTENSION_IGNORE_PATTERNS];

// The shell completion scripts `dedupfs completion bash|zsh|fish` prints. Commands and options
// are written into the script (they come from the command modules themselves, so the script
// matches the dedupfs that printed it); snapshot ids are asked of the repository each time they
// are completed, by running dedupfs (with the --repo the command line names, if any).
export type Shell = 'bash' | 'zsh' | 'fish';

export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

export interface CompletionCommand {
  name: string;
  /** "--long" and "-s" forms */
  options: string[];
  /** its positional arguments name snapshots (SNAPSHOT or SNAPSHOT:PATH) */
  snapshots: boolean;
}

export interface CompletionSpec { commands: CompletionCommand[]; globals: string[] }

/**
 * The shell code that prints snapshot ids (8 hex digits) and "latest", one per line, from `cmd`
 * `repoArgs`. An encrypted repository whose password is not in the environment is not asked for
 * one on the terminal in the middle of a completion (DEDUPFS_PASSWORD_PROMPT=never).
 */
const idsPipeline = (cmd: string, repoArgs: string) =>
  `env DEDUPFS_PASSWORD_PROMPT=never ${cmd} ${repoArgs} snapshots --json 2>/dev/null | grep -o '"id":"[0-9a-f]*"' | cut -c7-14; echo latest`;

function bashScript(spec: CompletionSpec): string {
  const cases = spec.commands.map((c) => `    ${c.name}) opts+=' ${c.options.join(' ')}'; snaps=${c.snapshots ? 1 : 0} ;;`).join('\n');
  return `# dedupfs completion for bash. Load it with: source <(dedupfs completion bash)
_dedupfs_snapshot_ids() {
  local repo=() i
  for ((i = 1; i < \${#COMP_WORDS[@]} - 1; i++)); do
    if [[ \${COMP_WORDS[i]} == --repo ]]; then repo=(--repo "\${COMP_WORDS[i+1]}"); fi
  done
  ${idsPipeline('"${COMP_WORDS[0]}"', '"${repo[@]}"')}
}
_dedupfs() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd='' i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      --repo|--lock-wait) ((i++)) ;;
      -*) ;;
      *) cmd=\${COMP_WORDS[i]}; break ;;
    esac
  done
  local opts='${spec.globals.join(' ')}' snaps=0
  case $cmd in
    '') COMPREPLY=($(compgen -W '${spec.commands.map((c) => c.name).join(' ')} '"$opts" -- "$cur")); return ;;
${cases}
  esac
  if [[ $prev == : ]]; then return; fi  # the PATH of SNAPSHOT:PATH (bash splits words at ':')
  if [[ $prev == --snapshot ]]; then COMPREPLY=($(compgen -W "$(_dedupfs_snapshot_ids)" -- "$cur")); return; fi
  if [[ $prev == --repo ]]; then COMPREPLY=($(compgen -d -- "$cur")); return; fi
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); return; fi
  if ((snaps)); then COMPREPLY=($(compgen -W "$(_dedupfs_snapshot_ids)" -- "$cur")); fi
}
complete -o default -F _dedupfs dedupfs
`;
}

function zshScript(spec: CompletionSpec): string {
  return `# dedupfs completion for zsh (through bashcompinit). Load it with: source <(dedupfs completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashScript(spec).split('\n').slice(1).join('\n')}`;
}

function fishScript(spec: CompletionSpec): string {
  const names = spec.commands.map((c) => c.name).join(' ');
  const option = (o: string) => (o.startsWith('--') ? `-l ${o.slice(2)}` : `-s ${o.slice(1)}`);
  const lines = [
    '# dedupfs completion for fish. Install it with: dedupfs completion fish > ~/.config/fish/completions/dedupfs.fish',
    'function __dedupfs_snapshot_ids',
    '    set -l words (commandline -opc)',
    '    set -l i (contains -i -- --repo $words)',
    '    set -l repo',
    '    test -n "$i"; and set repo --repo $words[(math $i + 1)]',
    `    ${idsPipeline('dedupfs', '$repo')}`,
    'end',
    'complete -c dedupfs -f',
    `complete -c dedupfs -n "not __fish_seen_subcommand_from ${names}" -a "${names}"`,
    ...spec.globals.map((o) => `complete -c dedupfs ${option(o)}`),
    ...spec.commands.flatMap((c) => [
      ...c.options.map((o) => `complete -c dedupfs -n "__fish_seen_subcommand_from ${c.name}" ${option(o)}`),
      ...(c.snapshots ? [`complete -c dedupfs -n "__fish_seen_subcommand_from ${c.name}" -a "(__dedupfs_snapshot_ids)"`] : []),
    ]),
  ];
  return lines.join('\n') + '\n';
}

export function formatCompletion(shell: Shell, spec: CompletionSpec): string {
  return shell === 'bash' ? bashScript(spec) : shell === 'zsh' ? zshScript(spec) : fishScript(spec);
}

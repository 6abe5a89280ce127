# zsh -f complete_zsh.zsh FPATH_DIR 'command line': runs zsh's real completion system on the
# line in an interactive zsh on a pseudo-terminal (zpty), as if TAB were pressed, and prints
# every match offered, one per line. compadd is wrapped to print what it adds (between \x02
# and \x03, so the terminal's echo of these lines is never mistaken for a match).
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1= ; PS2= ; RPS1= ; unsetopt zle_bracketed_paste 2>/dev/null"
zpty -w z "fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi; typeset -a __hits; builtin compadd -A __hits "$@"; local ret=$?; local h; for h in $__hits; do print -r -- $'"'"'\x02'"'"'$h$'"'"'\x03'"'"' ; done; return $ret }'
zpty -w z "comppostfuncs=(_capture_done); _capture_done() { print -r -- $'"'"'\x02DONE\x03'"'"'; exit }"
zpty -n -w z "$2"$'\t'
local line
while zpty -r z line; do
  [[ $line == *$'\x02DONE\x03'* ]] && break
  [[ $line == *$'\x02'*$'\x03'* ]] && { line=${line#*$'\x02'}; print -r -- ${line%%$'\x03'*}; }
done
zpty -d z

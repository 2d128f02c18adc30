# bash completion for droverctl. Subcommands and options are read from droverctl's own
# --help (so they never go stale); worker and pool names are asked of the master named on
# the line (--master, --token, or DROVER_MASTER/DROVER_TOKEN), with a one-second limit.

# Prints the words of a section ("Subcommands:" or "Options:") of `droverctl ARGS --help`.
_droverctl_help_words()
{
    local section=$1
    shift
    "${_droverctl_cmd:-droverctl}" "$@" --help 2>/dev/null | awk -v section="$section" '
        /^[A-Za-z].*:$/ { on = ($0 == section ":"); next }
        on && /^  [^ ]/ {
            if (section == "Subcommands") { print $1; next }
            n = split($1, names, ",")
            for (i = 1; i <= n; i++) if (names[i] ~ /^-/) print names[i]
        }'
}

# Prints the first column of `droverctl [connection options] WHAT...` (workers, pools, job ls).
_droverctl_names()
{
    timeout 1 "${_droverctl_cmd:-droverctl}" "${_droverctl_conn[@]}" "$@" 2>/dev/null |
        awk 'NR > 1 && $1 != "" { print $1 }'
}

_droverctl()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local -a path=() _droverctl_conn=()
    local i word takes_value=0
    _droverctl_cmd=${COMP_WORDS[0]}
    COMPREPLY=()

    # The subcommand path so far (e.g. "rollout status") and the connection options.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if ((takes_value)); then
            takes_value=0
            continue
        fi
        case $word in
            --master | --token | --ca | --fingerprint)
                _droverctl_conn+=("$word" "${COMP_WORDS[i + 1]}")
                takes_value=1
                ;;
            --master=* | --token=* | --ca=* | --fingerprint=*) _droverctl_conn+=("$word") ;;
            -*) ;;
            *)
                if _droverctl_help_words Subcommands "${path[@]}" | grep -qx -- "$word"; then
                    path+=("$word")
                fi
                ;;
        esac
    done

    case $prev in
        --ca | --token-file | --file)
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            return
            ;;
        --master | --token | --fingerprint | -n | --lines) return ;;
    esac

    if [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$(_droverctl_help_words Options "${path[@]}")" -- "$cur")
        return
    fi
    local subcommands
    subcommands=$(_droverctl_help_words Subcommands "${path[@]}")
    if [[ -n $subcommands ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$subcommands" -- "$cur")
        return
    fi
    # A leaf: what its positional argument names.
    case ${path[*]} in
        start | stop | restart | logs | health) mapfile -t COMPREPLY < <(compgen -W "$(_droverctl_names workers)" -- "$cur") ;;
        job\ run | job\ history | job\ cancel) mapfile -t COMPREPLY < <(compgen -W "$(_droverctl_names job ls)" -- "$cur") ;;
        scale | traffic | acquire | rollout\ *) mapfile -t COMPREPLY < <(compgen -W "$(_droverctl_names pools)" -- "$cur") ;;
        config\ apply | config\ plan | config\ validate) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    esac
}
complete -F _droverctl droverctl

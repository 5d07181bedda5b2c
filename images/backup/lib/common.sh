# Shared by the backup image's commands; sourced, never run. Logs are one JSON object per line on stdout
# (what `docker logs` and the log driver keep). Nothing here ever prints a secret: the database password stays
# in the environment, the age identity in a 0600 file under the /tmp tmpfs, and the webhook URL (which often
# embeds a token) is never logged.

BACKUP_DIR=${BACKUP_DIR:-/backups}
# Runtime state (locks, last result of this container's runs) lives in the /tmp tmpfs: it is shared by the
# scheduler and `docker exec` runs of the same container, and it needs no space on the backup volume, which
# may be the thing that is full.
STATE_DIR=/tmp/bulwark
# Names: bulwark-YYYYMMDDTHHMMSSZ.dump.zst.age with bulwark-YYYYMMDDTHHMMSSZ.json beside it.
BACKUP_PREFIX=bulwark-
BACKUP_SUFFIX=.dump.zst.age
MANIFEST_FORMAT=bulwark-backup/1
NAME_RE='^bulwark-[0-9]{8}T[0-9]{6}Z$'

# Reports, state and keys are private to the uid, like the volumes they live on (backup-now opens its
# backups to the job's group).
umask 077
mkdir -p -m 0700 "$STATE_DIR"

# Each backup container runs as a uid of its own (BACKUP_USERS in infra/components/images.ts), so that each has
# its own nproc limit; the drill and the uploader read the backups through the job's group. A volume of an
# older deployment, when all three ran as 10501, is still 10501's: no capability here can change that, so a
# container that finds its volume (or anything in it) owned by another uid stops and says how to hand it over.

# volume_owned DIR: DIR is a writable directory of this uid, and everything in it is this uid's too.
volume_owned() {
    local dir=$1
    [[ -d $dir && -O $dir && -w $dir && -x $dir ]] || return 1
    [[ -z $(find "$dir" -mindepth 1 ! -user "$(id -u)" -print -quit 2>/dev/null) ]]
}

# volume_fix VOLUME DIR: what to do about a volume that is not this uid's (one line, for logs and reports).
volume_fix() {
    local volume=${1:-} dir=$2
    printf '%s is not owned by uid %s (the volume was made by an older deployment that ran every backup container as 10501). One-time fix, as root on the Docker host (docs/runbooks.md): docker run --rm --network none --user 0:0 -v %s:/v IMAGE chown -R %s:%s /v, with IMAGE this container'"'"'s image; then restart this container' \
        "$dir${volume:+ (volume $volume)}" "$(id -u)" "${volume:-VOLUME}" "$(id -u)" "$(id -g)"
}

# backups_group_readable: the job opens its backups to its group (directory 0750, files 0640), including
# those an older deployment wrote private (0700/0600). As their owner it needs no capability; a directory
# it does not own (a host path) is left as the operator made it.
backups_group_readable() {
    local f opened=0
    if [[ -O $BACKUP_DIR && $(stat -c %a -- "$BACKUP_DIR") != 750 ]]; then
        chmod 0750 -- "$BACKUP_DIR" && opened=$((opened + 1))
    fi
    while IFS= read -r -d '' f; do
        chmod 0640 -- "$f" && opened=$((opened + 1))
    done < <(find "$BACKUP_DIR" -maxdepth 1 -type f -name "$BACKUP_PREFIX*" -user "$(id -u)" ! -perm -g=r -print0 2>/dev/null)
    ((opened == 0)) || log info backups_opened_to_group dir "$BACKUP_DIR" changed:n "$opened" \
        note "the drill and the uploader read the backups as members of the job's group"
}

# The age identity (BACKUP_AGE_IDENTITY, the drill container only) is moved into a file at start and out of
# the environment: /proc/PID/environ of every process started with it, and of every child, would otherwise
# carry it for as long as it runs (issue 13).
IDENTITY_RE='^AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}$'

# identity_to_file FILE: writes BACKUP_AGE_IDENTITY (empty if unset) to FILE, 0600 in a 0700 directory, by
# a builtin (never on an argv), and unsets it. The caller then re-executes itself: unset changes what
# children inherit, not the environment the kernel shows for this process.
identity_to_file() {
    local file=$1
    mkdir -p -m 0700 -- "${file%/*}"
    (
        umask 077
        printf '%s\n' "${BACKUP_AGE_IDENTITY:-}" >"$file"
    )
    unset BACKUP_AGE_IDENTITY
}

# identity_valid FILE: the file holds exactly one age identity (one line; a bash test, no child process).
identity_valid() {
    local content
    [[ -f $1 ]] && content=$(<"$1") && [[ $content =~ $IDENTITY_RE ]]
}

# The drill's keyring (DRILL_KEYRING_DIR, a retained volume; dev's generated keys only): every identity the
# drill was given, one per line. A destroy and up generate a new key but keep the backups, and age -d -i reads
# a file of several identities, so the backups of the old key still restore.
DRILL_KEYRING=${DRILL_KEYRING_DIR:+$DRILL_KEYRING_DIR/identities}

# keyring_valid FILE: one or more lines, each an age identity; a single identity is a keyring of one. Bash
# only, no child process.
keyring_valid() {
    local line count=0
    [[ -f $1 && -r $1 ]] || return 1
    while IFS= read -r line || [[ -n $line ]]; do
        [[ $line =~ $IDENTITY_RE ]] || return 1
        count=$((count + 1))
    done <"$1"
    ((count > 0))
}

# keyring_add KEYRING FILE: adds the identity in FILE to KEYRING (0600, directory 0700) unless it is there.
# The keyring is replaced atomically, so a crash never leaves a torn line that would stop every later drill;
# the identity moves through builtins and a pipe only, never an argv.
keyring_add() {
    local ring=$1 file=$2 identity line
    identity_valid "$file" || return 1
    identity=$(<"$file")
    { mkdir -p -m 0700 -- "${ring%/*}" && chmod 0700 -- "${ring%/*}"; } 2>/dev/null || return 1
    if [[ -e $ring ]]; then
        keyring_valid "$ring" || return 1
        while IFS= read -r line || [[ -n $line ]]; do
            [[ $line == "$identity" ]] && return 0
        done <"$ring"
    fi
    {
        if [[ -e $ring ]]; then
            while IFS= read -r line || [[ -n $line ]]; do printf '%s\n' "$line"; done <"$ring"
        fi
        printf '%s\n' "$identity"
    } | write_atomic "$ring"
}

now_iso() { date -u -d "@${1:-$EPOCHSECONDS}" +%Y-%m-%dT%H:%M:%SZ; }

# log LEVEL EVENT [key value]... : values are strings; keys ending in ':n' are emitted as numbers,
# keys ending in ':j' as raw JSON.
log() {
    local level=$1 event=$2 args=() key
    shift 2
    while (($# >= 2)); do
        key=$1
        case $key in
            *:n) args+=(--argjson "${key%:n}" "${2:-null}") ;;
            *:j) args+=(--argjson "${key%:j}" "${2:-null}") ;;
            *) args+=(--arg "$key" "$2") ;;
        esac
        shift 2
    done
    jq -nc --arg time "$(now_iso)" --arg level "$level" --arg event "$event" --arg component "${COMPONENT:-backup}" \
        "${args[@]}" '$ARGS.named' || printf '{"level":"%s","event":"%s","note":"log encoding failed"}\n' "$level" "$event"
}

# alert EVENT JSON: POSTs {"source":"bulwark-backup",...} to ALERT_WEBHOOK_URL when set. Bounded in time and
# never fatal: a broken webhook must not turn a good backup into a failed one, or hide the original error.
alert() {
    local event=$1 details=${2:-'{}'} body
    [[ -n ${ALERT_WEBHOOK_URL:-} ]] || return 0
    body=$(jq -nc --arg event "$event" --arg component "${COMPONENT:-backup}" --arg host "${HOSTNAME:-}" \
        --arg time "$(now_iso)" --argjson details "$details" \
        '{source: "bulwark-backup", event: $event, component: $component, host: $host, time: $time, details: $details}') || return 0
    # The URL carries the webhook's token: it reaches curl as a config line on its stdin (printf is a builtin),
    # never on a command line that /proc/PID/cmdline and `ps` show. A line break would start a second curl
    # option, so such a URL is refused (issue 13).
    local url=$ALERT_WEBHOOK_URL
    if [[ $url == *[$'\n\r']* ]]; then
        log warn alert_failed alert "$event" note "ALERT_WEBHOOK_URL contains a line break; no alert was sent"
        return 0
    fi
    url=${url//\\/\\\\}
    url=${url//\"/\\\"}
    # In the background and waited for, so a SIGTERM meanwhile is handled at once.
    printf 'url = "%s"\n' "$url" | curl -K - -fsS -o /dev/null --max-time "${ALERT_TIMEOUT_SECONDS:-10}" --retry 1 --retry-max-time 15 \
        -H 'Content-Type: application/json' --data-binary "$body" 2>/dev/null &
    if wait $!; then
        log info alert_sent alert "$event"
    else
        log warn alert_failed alert "$event" note "the alert webhook did not accept the alert"
    fi
    return 0
}

# Backup names carry their UTC timestamp; these convert both ways without forking date(1) per name.
name_epoch() { # bulwark-20250102T031500Z -> epoch
    local s=${1#"$BACKUP_PREFIX"}
    date -u -d "${s:0:4}-${s:4:2}-${s:6:2} ${s:9:2}:${s:11:2}:${s:13:2}" +%s
}

# Complete backups, oldest first: a backup is complete only when both its data file and its manifest exist
# (the manifest is written last, after the data file's atomic rename).
list_backups() {
    local m name
    for m in "$BACKUP_DIR"/"$BACKUP_PREFIX"*.json; do
        [[ -e $m ]] || continue
        name=$(basename "$m" .json)
        [[ $name =~ $NAME_RE && -f $BACKUP_DIR/$name$BACKUP_SUFFIX ]] && printf '%s\n' "$name"
    done | sort
}

newest_backup() { list_backups | tail -n 1; }

# sha256 of a file compared with its manifest; prints the actual digest.
file_sha256() { sha256sum -- "$1" | cut -d' ' -f1; }

# Durable replace: write to a temporary name, fsync it, rename over the target, fsync the directory.
write_atomic() { # write_atomic TARGET < content
    local target=$1 tmp
    tmp="$(dirname "$target")/.$(basename "$target").tmp.$$"
    cat >"$tmp" && sync -- "$tmp" && mv -f -- "$tmp" "$target" && sync -- "$(dirname "$target")" || {
        rm -f -- "$tmp"
        return 1
    }
}

# ---------------------------------------------------------------------------------------------------------
# Data fingerprint, computed in the dump's exported snapshot and again on the restored copy: what the drill
# compares to prove that every table's rows came back.
#   rows (default): each table's row count, counted in the dump's stream by archive-rows on the job's CPU,
#     and every table of the snapshot's catalog must have data in the dump. The file itself is proven byte
#     for byte (the manifest's sha256, and age's authenticated encryption). Measured by bench:backup (issue
#     10): count(*) in the snapshot instead cost the job a fifth of its time, on the database's one CPU.
#   checksums (opt-in): also the database's own count and an order-independent checksum per table, the sum
#     of a 64-bit hash of each row's text form, in the snapshot. It turns every row into text a second time
#     on the database's CPU, beside pg_dump's COPY: about half the job's speed. The session
#     settings pin every type's text output, so the restored copy yields the same text as the source; the
#     hash (hashtextextended) is stable for a major version on one architecture, which the drill, on the
#     same image, uses.
FINGERPRINT_MODES="rows checksums"
FINGERPRINT_SETTINGS="SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres';
SET extra_float_digits = 1; SET bytea_output = 'hex'; SET lc_monetary = 'C'; SET statement_timeout = 0;"
# The tables whose data a dump holds: ordinary tables outside the system schemas, except tables that belong
# to extensions (pg_dump leaves their data out). Over c (pg_class) and n (pg_namespace).
USER_TABLES_WHERE="c.relkind = 'r'
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"
USER_TABLES_FROM="pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE $USER_TABLES_WHERE"
# fingerprint_sql rows|checksums: one statement over those tables (so that it can run inside a snapshot).
fingerprint_sql() {
    local per_table="'SELECT count(*) AS n FROM %I.%I'" fields="'rows', rows"
    if [[ $1 == checksums ]]; then
        per_table="'SELECT count(*) AS n, coalesce(sum(hashtextextended(t::text, 0)), 0) AS s FROM %I.%I AS t'"
        fields="'rows', rows, 'checksum', (xpath('/row/s/text()', x))[1]::text"
    fi
    cat <<SQL
SELECT coalesce(json_object_agg(tbl, fingerprint ORDER BY tbl), '{}')
FROM (
  SELECT format('%I.%I', n.nspname, c.relname) AS tbl, json_build_object($fields) AS fingerprint
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN LATERAL query_to_xml(format($per_table, n.nspname, c.relname), false, true, '') AS x
  CROSS JOIN LATERAL (SELECT (xpath('/row/n/text()', x))[1]::text::bigint AS rows) AS counted
  WHERE $USER_TABLES_WHERE
) AS per_table;
SQL
}

# sha256 over the canonical (key-sorted, compact) JSON of the per-table fingerprint.
data_checksum() { jq -cS . | sha256sum | cut -d' ' -f1; }

# ---------------------------------------------------------------------------------------------------------
# Five-field cron (minute hour day-of-month month day-of-week) with *, lists, ranges and steps, in UTC, as
# infra/config/patterns.ts isCron accepts. Pure shell arithmetic: the health check runs every minute.
declare -a CRON_LIST # CRON_LIST[i]: " v v v " for field i
CRON_DOM_ANY=0 CRON_DOW_ANY=0

cron_parse() {
    local expr=$1 i part lo hi step v set
    local -a fields parts
    local -a mins=(0 0 1 1 0) maxs=(59 23 31 12 7)
    read -r -a fields <<<"$expr"
    ((${#fields[@]} == 5)) || return 1
    for i in 0 1 2 3 4; do
        set=" "
        IFS=, read -r -a parts <<<"${fields[i]}"
        for part in "${parts[@]}"; do
            [[ $part =~ ^(\*|([0-9]+)(-([0-9]+))?)(/([0-9]+))?$ ]] || return 1
            step=${BASH_REMATCH[6]:-1}
            if [[ ${BASH_REMATCH[1]} == "*" ]]; then
                lo=${mins[i]} hi=${maxs[i]}
            else
                lo=$((10#${BASH_REMATCH[2]}))
                hi=$((10#${BASH_REMATCH[4]:-${BASH_REMATCH[2]}}))
                # "a/s" means from a to the field's end, every s.
                [[ -n ${BASH_REMATCH[6]} && -z ${BASH_REMATCH[4]} ]] && hi=${maxs[i]}
            fi
            ((step >= 1 && lo <= hi && lo >= mins[i] && hi <= maxs[i])) || return 1
            for ((v = lo; v <= hi; v += step)); do
                # Day-of-week 7 is Sunday, like 0.
                ((i == 4 && v == 7)) && { [[ $set == *" 0 "* ]] || set+="0 "; continue; }
                [[ $set == *" $v "* ]] || set+="$v "
            done
        done
        CRON_LIST[i]=$set
    done
    [[ ${fields[2]} == "*" ]] && CRON_DOM_ANY=1 || CRON_DOM_ANY=0
    [[ ${fields[4]} == "*" ]] && CRON_DOW_ANY=1 || CRON_DOW_ANY=0
    return 0
}

# civil_from_days DAYS -> sets CIV_M CIV_D, the month and day (proleptic Gregorian, days since 1970-01-01).
civil_from_days() {
    local z=$(($1 + 719468)) era doe yoe doy mp
    era=$(((z >= 0 ? z : z - 146096) / 146097))
    doe=$((z - era * 146097))
    yoe=$(((doe - doe / 1460 + doe / 36524 - doe / 146096) / 365))
    doy=$((doe - (365 * yoe + yoe / 4 - yoe / 100)))
    mp=$(((5 * doy + 2) / 153))
    CIV_D=$((doy - (153 * mp + 2) / 5 + 1))
    CIV_M=$((mp < 10 ? mp + 3 : mp - 9))
}

# Whether the schedule fires on day DAYS (since the epoch): cron ORs day-of-month and day-of-week when
# both are restricted.
cron_day_matches() {
    local days=$1 dow dom_ok dow_ok
    civil_from_days "$days"
    [[ ${CRON_LIST[3]} == *" $CIV_M "* ]] || return 1
    dow=$(((days + 4) % 7))
    [[ ${CRON_LIST[2]} == *" $CIV_D "* ]] && dom_ok=1 || dom_ok=0
    [[ ${CRON_LIST[4]} == *" $dow "* ]] && dow_ok=1 || dow_ok=0
    if ((CRON_DOM_ANY == 0 && CRON_DOW_ANY == 0)); then
        ((dom_ok || dow_ok))
    else
        ((dom_ok && dow_ok))
    fi
}

cron_matches() { # cron_matches EPOCH (after cron_parse)
    local t=$1
    [[ ${CRON_LIST[0]} == *" $(((t / 60) % 60)) "* && ${CRON_LIST[1]} == *" $(((t / 3600) % 24)) "* ]] || return 1
    cron_day_matches $((t / 86400))
}

# Minutes of the day at which the schedule fires, ascending.
cron_times_of_day() {
    local h m out=()
    for h in ${CRON_LIST[1]}; do
        for m in ${CRON_LIST[0]}; do out+=($((h * 60 + m))); done
    done
    printf '%s\n' "${out[@]}" | sort -n
}

# How far ahead the schedule is searched: four years and a week, so that even "Feb 29" schedules fire.
CRON_HORIZON_DAYS=1468

# cron_next EPOCH: the first firing time strictly after EPOCH (prints epoch; fails if none in the horizon).
cron_next() {
    local after=$1 day start_day tod
    local -a tods
    mapfile -t tods < <(cron_times_of_day)
    start_day=$((after / 86400))
    for ((day = start_day; day < start_day + CRON_HORIZON_DAYS; day++)); do
        cron_day_matches "$day" || continue
        for tod in "${tods[@]}"; do
            if ((day * 86400 + tod * 60 > after)); then
                echo $((day * 86400 + tod * 60))
                return 0
            fi
        done
    done
    return 1
}

# cron_max_interval EPOCH: the longest gap in seconds between two consecutive firings in the horizon; the
# health checks derive their staleness bound from it.
cron_max_interval() {
    local from=$1 day start_day prev_day=-1 gap max=0 i first last
    local -a tods
    mapfile -t tods < <(cron_times_of_day)
    first=${tods[0]} last=${tods[${#tods[@]} - 1]}
    for ((i = 1; i < ${#tods[@]}; i++)); do
        gap=$(((tods[i] - tods[i - 1]) * 60))
        ((gap > max)) && max=$gap
    done
    start_day=$((from / 86400))
    for ((day = start_day; day < start_day + CRON_HORIZON_DAYS; day++)); do
        cron_day_matches "$day" || continue
        if ((prev_day >= 0)); then
            gap=$((((day - prev_day) * 1440 - last + first) * 60))
            ((gap > max)) && max=$gap
        fi
        prev_day=$day
    done
    ((prev_day >= 0)) || return 1
    # A schedule firing once in the horizon: treat the horizon itself as the interval.
    ((max > 0)) || max=$((CRON_HORIZON_DAYS * 86400))
    echo "$max"
}

# Sleeps until EPOCH; `wait` returns as soon as a trapped SIGTERM arrives, so stopping is immediate.
sleep_until() {
    local target=$1 pid
    while ((EPOCHSECONDS < target)) && [[ -z ${STOPPING:-} ]]; do
        sleep $((target - EPOCHSECONDS > 60 ? 60 : target - EPOCHSECONDS)) &
        pid=$!
        wait "$pid" || kill "$pid" 2>/dev/null || true
    done
}

# scheduler_loop SCHEDULE STATE_NAME COMMAND...: runs COMMAND at every firing of SCHEDULE until SIGTERM.
# Writes $STATE_DIR/STATE_NAME.json (schedule, interval, first due time) for the health check.
scheduler_loop() {
    local schedule=$1 state=$2 next interval started
    shift 2
    cron_parse "$schedule" || {
        log error config_invalid key schedule value "$schedule" note "not a five-field cron expression"
        return 2
    }
    started=$EPOCHSECONDS
    interval=$(cron_max_interval "$started") || {
        log error config_invalid value "$schedule" note "the schedule never fires"
        return 2
    }
    next=$(cron_next "$started") || return 2
    jq -nc --arg schedule "$schedule" --argjson interval "$interval" --argjson started "$started" --argjson firstDue "$next" \
        '{schedule: $schedule, intervalSeconds: $interval, startedAt: $started, firstDueAt: $firstDue}' \
        | write_atomic "$STATE_DIR/$state.json"
    log info scheduler_started schedule "$schedule" command "$*" intervalSeconds:n "$interval" nextRun "$(now_iso "$next")"

    CHILD=""
    STOPPING=""
    trap 'STOPPING=1; [[ -z $CHILD ]] || kill -TERM "$CHILD" 2>/dev/null || true' TERM INT
    while [[ -z $STOPPING ]]; do
        sleep_until "$next"
        [[ -n $STOPPING ]] && break
        "$@" &
        CHILD=$!
        # wait returns early when the trap fires; wait again for the child to finish its own cleanup.
        wait "$CHILD" || true
        [[ -n $STOPPING ]] && { wait "$CHILD" 2>/dev/null || true; }
        CHILD=""
        next=$(cron_next "$EPOCHSECONDS") || break
        [[ -z $STOPPING ]] && log info scheduler_next nextRun "$(now_iso "$next")"
    done
    log info scheduler_stopped signal TERM
    return 0
}

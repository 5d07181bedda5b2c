# Retention (BAK-04, CMP-01): keeps the newest backup of each of the newest BACKUP_KEEP_DAILY days,
# BACKUP_KEEP_WEEKLY ISO weeks and BACKUP_KEEP_MONTHLY months (UTC, from the names' timestamps), plus, always,
# the newest backup whose file still matches its manifest's sha256. Only complete backups (data file and
# manifest) are considered; the caller runs this only after its own backup is complete, under the lock.

retention_config() {
    local key value
    for key in BACKUP_KEEP_DAILY BACKUP_KEEP_WEEKLY BACKUP_KEEP_MONTHLY; do
        value=${!key:-}
        if ! [[ $value =~ ^[0-9]+$ ]] || { [[ $key == BACKUP_KEEP_DAILY ]] && ((value < 1)); }; then
            log error config_invalid key "$key" value "$value" \
                note "must be an integer (daily at least 1); nothing was removed"
            return 1
        fi
    done
}

# rotate [VERIFIED_NAME]: VERIFIED_NAME is a backup the caller has just written and hashed, so it needs no
# second read.
rotate() {
    local verified=${1:-} name day week month expected actual keep_count=0 removed=0
    local -A keep=() days=() weeks=() months=()
    local -a names
    retention_config || return 1
    mapfile -t names < <(list_backups | sort -r)
    ((${#names[@]} > 0)) || return 0

    for name in "${names[@]}"; do
        day=${name:${#BACKUP_PREFIX}:8}
        month=${day:0:6}
        week=$(date -u -d "${day:0:4}-${day:4:2}-${day:6:2}" +%G-W%V)
        if [[ -z ${days[$day]:-} ]] && ((${#days[@]} < BACKUP_KEEP_DAILY)); then
            days[$day]=$name keep[$name]+=daily,
        fi
        if [[ -z ${weeks[$week]:-} ]] && ((${#weeks[@]} < BACKUP_KEEP_WEEKLY)); then
            weeks[$week]=$name keep[$name]+=weekly,
        fi
        if [[ -z ${months[$month]:-} ]] && ((${#months[@]} < BACKUP_KEEP_MONTHLY)); then
            months[$month]=$name keep[$name]+=monthly,
        fi
    done

    # The newest verified backup survives whatever the counts say: if the newest files were damaged, the
    # last good one must not be rotated away.
    if [[ -z $verified ]]; then
        for name in "${names[@]}"; do
            expected=$(jq -r .sha256 "$BACKUP_DIR/$name.json" 2>/dev/null || true)
            actual=$(file_sha256 "$BACKUP_DIR/$name$BACKUP_SUFFIX" 2>/dev/null || true)
            if [[ -n $expected && $expected == "$actual" ]]; then
                verified=$name
                break
            fi
            log warn backup_unverified name "$name" note "sha256 does not match its manifest; kept out of the newest-verified rule"
        done
    fi
    [[ -n $verified ]] && keep[$verified]+=newest-verified,

    for name in "${names[@]}"; do
        if [[ -n ${keep[$name]:-} ]]; then
            keep_count=$((keep_count + 1))
            continue
        fi
        # Manifest first: without it the file is no longer a complete backup for the drill or the uploader.
        rm -f -- "$BACKUP_DIR/$name.json" "$BACKUP_DIR/$name$BACKUP_SUFFIX"
        removed=$((removed + 1))
        log info backup_removed name "$name" reason retention
    done
    sync -- "$BACKUP_DIR" || true
    log info retention_applied kept:n "$keep_count" removed:n "$removed" newestVerified "$verified" \
        keepDaily:n "$BACKUP_KEEP_DAILY" keepWeekly:n "$BACKUP_KEEP_WEEKLY" keepMonthly:n "$BACKUP_KEEP_MONTHLY"
}

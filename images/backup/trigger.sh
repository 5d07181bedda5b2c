#!/usr/bin/env bash
# Host side of `npm run backup:now` and `npm run backup:drill`: runs the one-shot command inside the stack's
# running container (the stack names them <stack>-backup and <stack>-restore-drill) and returns its exit
# status. Not copied into the image.
#
#   images/backup/trigger.sh now|drill [--stack NAME]     (default: $BULWARK_STACK, else dev)
set -euo pipefail

action=${1:-}
shift || true
stack=${BULWARK_STACK:-dev}
while (($# > 0)); do
    case $1 in
        --stack) stack=${2:?--stack needs a name}; shift 2 ;;
        --stack=*) stack=${1#--stack=}; shift ;;
        *) echo "usage: trigger.sh now|drill [--stack NAME]" >&2; exit 2 ;;
    esac
done
case $action in
    now) exec docker exec "$stack-backup" backup-now ;;
    drill) exec docker exec "$stack-restore-drill" restore-drill ;;
    *) echo "usage: trigger.sh now|drill [--stack NAME]" >&2; exit 2 ;;
esac

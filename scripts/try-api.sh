#!/usr/bin/env bash
# Tries each role's main flow over curl, as a new user would, against a freshly seeded demo:
#   scripts/try-api.sh [BINARY=target/debug/xueshi] [PORT=8088]
# Seeds Lu'an into a temporary SQLite database, starts `xueshi serve`, then for every demo
# account: signs in with the printed initial password, changes it, and does the role's work.
# Prints each step and its answer; exits non-zero at the first unexpected answer.
set -euo pipefail

BIN=${1:-target/debug/xueshi}
PORT=${2:-8088}
DIR=$(mktemp -d /tmp/xueshi-try.XXXXXX)
DB="sqlite://$DIR/xueshi.db"
API="http://127.0.0.1:$PORT/api"
NEW_PASSWORD='Xinmima-2026-Luan'

"$BIN" demo seed --database "$DB" >"$DIR/accounts.txt" 2>/dev/null
"$BIN" serve --database "$DB" --listen "127.0.0.1:$PORT" 2>"$DIR/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "$API/health" >/dev/null && break; sleep 0.2; done

password() { awk -v l="$1" '$1 == l { print $2 }' "$DIR/accounts.txt"; }
token() { awk -v l="$1" 'f && /API 令牌/ { print $2; exit } $1 == l { f = 1 }' "$DIR/accounts.txt" | sed 's/^令牌：//'; }

# step NAME EXPECTED_STATUS CURL_ARGS... : runs curl, shows the answer, checks the status.
step() {
  local name=$1 want=$2; shift 2
  local out code
  out=$(curl -s -w '\n%{http_code}' "$@")
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  printf '%-58s %s %s\n' "$name" "$code" "$(printf '%s' "$out" | head -c 300)"
  [[ "$code" == "$want" ]] || { echo "  ✗ expected $want" >&2; exit 1; }
  LAST=$out
}

# sign_in LOGIN : signs in with the initial password, changes it, signs in again; sets JAR/CSRF.
sign_in() {
  JAR="$DIR/$1.cookies"
  step "$1 登录（初始密码）" 200 -c "$JAR" -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"$(password "$1")\"}" "$API/session"
  CSRF=$(jq -r .csrf_token <<<"$LAST")
  step "$1 未改密码前不能办理" 403 -b "$JAR" "$API/persons/1/years/2026"
  step "$1 修改初始密码" 204 -b "$JAR" -H "x-csrf-token: $CSRF" -H 'content-type: application/json' \
    -d "{\"old_password\":\"$(password "$1")\",\"new_password\":\"$NEW_PASSWORD\"}" "$API/password"
  step "$1 用新密码登录" 200 -c "$JAR" -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"$NEW_PASSWORD\"}" "$API/session"
  CSRF=$(jq -r .csrf_token <<<"$LAST")
}
get() { step "$1" "$2" -b "$JAR" "$API$3"; }
send() { step "$1" "$2" -b "$JAR" -H "x-csrf-token: $CSRF" -H 'content-type: application/json' -X "$3" -d "$5" "$API$4"; }

echo "== 专业技术人员"
sign_in demo-professional
get "我的账号" 200 /me
PERSON=$(jq -r .account.person_id <<<"$LAST")
get "我的 2026 年度学时判定" 200 "/persons/$PERSON/years/2026"
printf '\x89PNG\r\n\x1a\n0000' >"$DIR/cert.png"
step "上传证明材料（PNG）" 201 -b "$JAR" -H "x-csrf-token: $CSRF" -H 'content-type: image/png' \
  --data-binary @"$DIR/cert.png" "$API/evidence"
HASH=$(jq -r .hash <<<"$LAST")
send "登记一条学术会议记录（附证明材料）" 201 POST "/persons/$PERSON/records" \
  "{\"content\":\"全省学前教育学术年会\",\"subject\":\"professional\",\"form\":\"academic\",\"completed_on\":\"2026-11-02\",\"hours\":\"8\",\"evidence\":\"$HASH\"}"
get "我的学习记录" 200 "/persons/$PERSON/records"
get "申报中级职称的准备情况（2024–2026）" 200 "/persons/$PERSON/readiness?level=intermediate&first_year=2024&last_year=2026"
send "提交 2026 年度登记审核" 201 POST "/persons/$PERSON/years/2026/submit" '{}'
send "申请学时验证（中级，2024–2026）" 201 POST /verifications \
  "{\"persons\":[$PERSON],\"level\":\"intermediate\",\"first_year\":2024,\"last_year\":2026}"
APP=$(jq -r '.[0].application_id' <<<"$LAST")

echo "== 行业主管部门"
sign_in demo-industry-authority
get "待审核的年度登记" 200 /reviews/pending
send "审核盖章" 201 POST "/persons/$PERSON/years/2026/review" '{"approved":true}'

echo "== 县区人社局"
sign_in demo-county-bureau
get "待核验的申请" 200 /verifications/pending
get "申请详情及引擎判定依据" 200 "/verifications/$APP"
COMPLIANT=$(jq -r .compliant <<<"$LAST")
if [[ "$COMPLIANT" == true ]]; then
  send "核验盖章" 201 POST "/verifications/$APP/decision" '{"approved":true}'
else
  send "学时不达标：盖章被拒绝" 409 POST "/verifications/$APP/decision" '{"approved":true}'
  send "核验不通过（记录在案）" 201 POST "/verifications/$APP/decision" '{"approved":false}'
fi
send "补录一次线下验证" 201 POST "/persons/$PERSON/offline-verifications" \
  '{"level":"junior","first_year":2019,"last_year":2021,"paper_ref":"纸质登记证书第 3 页","approved":true}'
send "开放验证预约时段" 201 POST /slots '{"on":"2026-12-18","online":false,"address":"霍邱县政务服务中心二楼","capacity":30}'
SLOT=$(jq -r .slot_id <<<"$LAST")
get "查看身份证号（记入审计）" 200 "/persons/$PERSON/id-number"
ID_NUMBER=$(jq -r .id_number <<<"$LAST")
NAME=$(curl -s -b "$JAR" "$API/verifications/$APP" | jq -r .application.subject.name)

echo "== 用人单位"
sign_in demo-unit
get "本单位人员的学习记录" 200 "/persons/$PERSON/records"
send "为本单位人员预约验证" 201 POST "/slots/$SLOT/bookings" "{\"persons\":[$PERSON]}"

echo "== 培训机构（API 令牌）"
step "申报培训备案" 201 -H "authorization: Bearer $(token demo-provider)" -H 'content-type: application/json' \
  -d '{"title":"幼儿园教师专业能力提升培训","region":"341500","starts_on":"2026-12-20","ends_on":"2026-12-24","hours":"24","venue":"六安市实验幼儿园","trainees":50,"content":"游戏化教学与家园共育"}' \
  "$API/filings"
FILING=$(jq -r .filing_id <<<"$LAST")

echo "== 市人社局"
sign_in demo-city-bureau
get "待审批的培训备案" 200 /filings
send "同意备案" 201 POST "/filings/$FILING/decision" '{"approved":true,"number":"六人社培备〔2026〕99号"}'
send "课件提供方备案（2027 年度）" 201 POST /providers '{"provider":"皖江在线学院","from":"2027-01-01","to":"2027-12-31"}'
get "课件提供方备案名录" 200 /providers
get "2026 年度达标统计（按县区）" 200 "/statistics?year=2026&by=county"

echo "== 开发区中心"
sign_in demo-zone-centre
get "待核验的申请" 200 /verifications/pending

echo "== 继续教育基地（API 令牌）"
printf '身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果\n%s,%s,1,KFDX-2026-000001,专业技术人员职业道德与诚信建设,20,2026-11-20,合格\n%s,错名字,1,KFDX-2026-000002,专业技术人员职业道德与诚信建设,20,2026-11-20,合格\n' \
  "$ID_NUMBER" "$NAME" "$ID_NUMBER" >"$DIR/report.csv"
step "报送合格证书（一行对、一行姓名不符）" 200 -H "authorization: Bearer $(token demo-base)" -H 'content-type: text/csv' \
  --data-binary @"$DIR/report.csv" "$API/base/certificates"
step "重复报送（幂等）" 200 -H "authorization: Bearer $(token demo-base)" -H 'content-type: text/csv' \
  --data-binary @"$DIR/report.csv" "$API/base/certificates"

echo "== 监督机关"
sign_in demo-supervisor
get "审计：身份证号查看记录" 200 "/audit?action=person.reveal"
get "审计：核验盖章记录" 200 "/audit?action=verification.act"

echo "== 国有企事业单位"
sign_in demo-state-owned-unit
get "本单位人员待核验的申请" 200 /verifications/pending
echo "全部流程完成。日志：$DIR/serve.log"

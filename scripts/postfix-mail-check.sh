#!/usr/bin/env bash
# Sends a booking's emails through a local postfix and checks the delivered Maildir files, as
# docs/mail-format.md describes. Debian/Ubuntu, as root, on a machine whose mail is yours to
# change: it installs postfix "Local only", delivers every address of the test domains to the
# local user `mailcheck`, and offers STARTTLS with a certificate for 127.0.0.1 that the run trusts.
#   scripts/postfix-mail-check.sh            (uses .venv/bin/dispatch-desktop)
set -euo pipefail
cd "$(dirname "$0")/.."
DD=$PWD/.venv/bin/dispatch-desktop
WORK=${WORK:-/tmp/postfix-mail-check}
CONF=/etc/postfix/mailcheck
mkdir -p "$WORK"

if ! command -v postfix >/dev/null; then
  echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
  echo "postfix postfix/mailname string localhost" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y postfix >/dev/null
fi
id mailcheck >/dev/null 2>&1 || useradd -m mailcheck
mkdir -p "$CONF"
[ -f "$CONF/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=127.0.0.1 \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$CONF/key.pem" -out "$CONF/cert.pem" 2>/dev/null
chmod 600 "$CONF/key.pem"
echo '/^.*@.*$/ mailcheck' > "$CONF/virtual_regexp"
postconf -e "home_mailbox = Maildir/" "smtputf8_enable = yes" "maillog_file = /var/log/postfix.log" \
  "virtual_alias_domains = example.com example.org xn--correo-espaa-khb.example.com" \
  "virtual_alias_maps = regexp:$CONF/virtual_regexp" \
  "smtpd_tls_cert_file = $CONF/cert.pem" "smtpd_tls_key_file = $CONF/key.pem" "smtpd_tls_security_level = may"
postfix status >/dev/null 2>&1 && postfix reload || postfix start
rm -rf ~mailcheck/Maildir/new/* "$WORK/home"

export DISPATCH_HOME=$WORK/home FLASK_ENV=production SSL_CERT_FILE=$CONF/cert.pem
export SMTP_HOST=127.0.0.1 SMTP_PORT=25 EMAIL_FROM=dispatch@example.org
$DD db upgrade
$DD operator add --name "Sam Rivera" --username "$(id -un)" --role supervisor --email sam@example.org
$DD settings set --timezone America/Chicago --company-name "Fontanería Peñalolén" --customer-hold 0 >/dev/null
$DD agent add --name "Ann Field" --phone +13125550111 --email ann@example.com
$DD agent add --name "Zoë Ñúñez" --phone +13125550112 --email zoe@correo-españa.example.com
# Subjects with the booking's non-ASCII values in them (the shipped English ones are ASCII).
for kind in customer_confirmation customer_reschedule customer_status agent_assignment agent_reschedule \
  agent_status agent_unassignment; do
  echo '{{ ref }}: {{ service }} — {{ customer_name }}, {{ address }}' | $DD template set $kind --part subject
done
$DD booking add --customer-name "José Ñúñez-Ibáñez" --customer-phone +13125550199 \
  --customer-email jose.antonio.nunez.ibanez.de.la.santisima.trinidad.cliente@correo-españa.example.com \
  --address "Calle del Pío Baroja 12, 3º izquierda, Peñalolén, Región Metropolitana de Santiago, código postal 7910000" \
  --service "Reparación de calefacción" --start "2026-12-10 09:00" --end "2026-12-10 10:30" --agent 1 --sms-consent no
$DD booking reschedule 1 --start "2026-12-11 14:00" --end "2026-12-11 15:30"
$DD booking assign 1 2
$DD booking status 1 cancelled --reason "El cliente canceló"
$DD booking add --customer-name "陈伟明" --customer-phone +13125550198 --customer-email chen@example.com \
  --address "上海市浦东新区世纪大道一百号环球金融中心七十八楼" --service "锅炉维修服务与家庭暖气系统年度检查" \
  --start "2026-12-12 09:00" --end "2026-12-12 10:00" --agent 1 --sms-consent no
$DD booking add --customer-name "Zoë Müller" --customer-phone +13125550197 --customer-email jörg@example.com \
  --address "Park Elm Suite Elm Shore Park Illinois Illinois Illinois Apt Oak North North Chicago Lake" \
  --service "Ремонт котла" --start "2026-12-13 09:00" --end "2026-12-13 10:00" --agent 2 --sms-consent no
$DD booking add --customer-name "Carla Customer" --customer-phone +13125550196 --customer-email carla@example.com \
  --address "12 Elm Street, Chicago" --service "Boiler service" --start "2026-12-14 09:00" --end "2026-12-14 10:00" \
  --call-center --sms-consent no
$DD notifier run --once
sleep 3

[ -x "$WORK/venv/bin/python" ] || { python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q icalendar vobject ics; }
grep -E "warning|reject|error" /var/log/postfix.log || echo "postfix log: no warning, reject or error"
"$WORK/venv/bin/python" scripts/check_maildir.py ~mailcheck/Maildir

//! One true-positive and one false-positive sample per built-in rule, in rule order.

/// `(rule id, true positive, false positive)`; `{cN}` expands at test time to N
/// generated characters of class `c` (see `expand`).
pub const SAMPLES: &[(&str, &str, &str)] = &[
    (
        "aws-access-key-id",
        r#"aws_access_key_id = AKIA{B16}"#,
        r#"aws_access_key_id = AKIAIOSFODNN7EXAMPLE"#,
    ),
    (
        "aws-secret-access-key",
        r#"aws_secret_access_key = "{b40}""#,
        r#"aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY""#,
    ),
    ("gcp-api-key", r#"key: AIza{u35}"#, r#"key: AIzaSHORT"#),
    (
        "gcp-service-account-key",
        r#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\n{b64}\n{b64}\n-----END PRIVATE KEY-----\n"}"#,
        r#"{"type": "service_account", "private_key": "${GCP_PRIVATE_KEY}"}"#,
    ),
    (
        "gcp-oauth-client-secret",
        r#"client_secret: GOCSPX-{u28}"#,
        r#"client_secret: GOCSPX-short"#,
    ),
    (
        "gcp-oauth-refresh-token",
        r#"refresh = 1//0{u60}"#,
        r#"url = https://1//0abc"#,
    ),
    (
        "gcp-oauth-access-token",
        r#"Authorization: Bearer ya29.{u80}"#,
        r#"ya29.short"#,
    ),
    (
        "azure-storage-account-key",
        r#"DefaultEndpointsProtocol=https;AccountName=x;AccountKey={b86}==;EndpointSuffix=core.windows.net"#,
        r#"AccountKey=<your-account-key>"#,
    ),
    (
        "azure-sas-token",
        r#"https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=co&sp=r&sig={a43}%3D"#,
        r#"https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=SIGNATURE"#,
    ),
    (
        "azure-shared-access-key",
        r#"Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={b43}="#,
        r#"SharedAccessKey=<key>"#,
    ),
    (
        "azure-ad-client-secret",
        r#"AZURE_CLIENT_SECRET=abc8Q~{a34}"#,
        r#"AZURE_CLIENT_SECRET=Q~short"#,
    ),
    (
        "azure-devops-pat",
        r#"pat={a76}AZDO{a4}"#,
        r#"AZDO_ORG_URL=https://dev.azure.com/x"#,
    ),
    (
        "alibaba-access-key-id",
        r#"accessKeyId: LTAI{a20}"#,
        r#"LTAIshort"#,
    ),
    ("tencent-secret-id", r#"SecretId=AKID{a32}"#, r#"AKIDshort"#),
    ("yandex-api-key", r#"key=AQVN{u36}"#, r#"AQVN"#),
    (
        "digitalocean-pat",
        r#"DO_TOKEN=dop_v1_{h64}"#,
        r#"DO_TOKEN=dop_v1_${TOKEN}"#,
    ),
    (
        "digitalocean-oauth-token",
        r#"t=doo_v1_{h64}"#,
        r#"t=doo_v1_"#,
    ),
    (
        "digitalocean-refresh-token",
        r#"t=dor_v1_{h64}"#,
        r#"t=dor_v1_x"#,
    ),
    (
        "heroku-api-key-v2",
        r#"HEROKU_API_KEY=HRKU-{u60}"#,
        r#"HRKU-short"#,
    ),
    (
        "heroku-api-key",
        r#"HEROKU_API_KEY={h8}-{h4}-{h4}-{h4}-{h12}"#,
        r#"HEROKU_APP_NAME=my-app"#,
    ),
    ("flyio-token", r#"FLY_API_TOKEN=fo1_{u43}"#, r#"fo1_short"#),
    ("vercel-token", r#"VERCEL_TOKEN=vcp_{a56}"#, r#"vcp_short"#),
    (
        "netlify-pat",
        r#"NETLIFY_AUTH_TOKEN=nfp_{a36}"#,
        r#"nfp_abc"#,
    ),
    (
        "supabase-pat",
        r#"SUPABASE_ACCESS_TOKEN=sbp_{h40}"#,
        r#"sbp_0000"#,
    ),
    (
        "supabase-secret-key",
        r#"key=sb_secret_{u32}"#,
        r#"sb_secret_x"#,
    ),
    (
        "planetscale-token",
        r#"DATABASE_PASSWORD=pscale_pw_{u43}"#,
        r#"pscale_pw_x"#,
    ),
    ("render-api-key", r#"RENDER_API_KEY=rnd_{a32}"#, r#"rnd_x"#),
    (
        "tailscale-key",
        r#"TS_AUTHKEY=tskey-auth-{a12}-{a30}"#,
        r#"TS_AUTHKEY=tskey-auth-XXXX"#,
    ),
    (
        "cloudflare-origin-ca-key",
        r#"key=v1.0-{h24}-{h146}"#,
        r#"version v1.0-beta"#,
    ),
    (
        "cloudflare-api-token",
        r#"CLOUDFLARE_API_TOKEN={u40}"#,
        r#"CLOUDFLARE_API_TOKEN=${CF_TOKEN}"#,
    ),
    (
        "linode-token",
        r#"LINODE_TOKEN={h64}"#,
        r#"LINODE_TOKEN=changeme"#,
    ),
    ("hetzner-token", r#"HCLOUD_TOKEN={a64}"#, r#"HCLOUD_TOKEN="#),
    (
        "github-pat",
        r#"token: ghp_{a36}"#,
        r#"token: ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
    ),
    (
        "github-oauth-token",
        r#"token: gho_{a36}"#,
        r#"token: gho_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
    ),
    (
        "github-user-token",
        r#"token: ghu_{a36}"#,
        r#"token: ghu_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
    ),
    (
        "github-app-token",
        r#"token: ghs_{a36}"#,
        r#"token: ghs_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"#,
    ),
    ("github-refresh-token", r#"ghr_{a76}"#, r#"ghr_short"#),
    (
        "github-fine-grained-pat",
        r#"GH_TOKEN=github_pat_{a22}_{a59}"#,
        r#"GH_TOKEN=github_pat_<token>"#,
    ),
    (
        "gitlab-pat",
        r#"GITLAB_TOKEN=glpat-{u20}"#,
        r#"GITLAB_TOKEN=glpat-xxxxxxxxxxxxxxxxxxxx"#,
    ),
    (
        "gitlab-pipeline-trigger-token",
        r#"glptt-{h40}"#,
        r#"glptt-"#,
    ),
    (
        "gitlab-runner-registration-token",
        r#"registration-token: GR1348941{u20}"#,
        r#"GR1348941"#,
    ),
    (
        "gitlab-runner-token",
        r#"token = "glrt-{u20}""#,
        r#"glrt-short"#,
    ),
    ("gitlab-deploy-token", r#"gldt-{u20}"#, r#"gldt-x"#),
    ("gitlab-oauth-app-secret", r#"gloas-{h64}"#, r#"gloas-0"#),
    ("gitlab-feed-token", r#"glft-{u20}"#, r#"glft-x"#),
    ("gitlab-agent-token", r#"glagent-{u50}"#, r#"glagent-x"#),
    ("gitlab-ci-build-token", r#"glcbt-{h2}_{u20}"#, r#"glcbt-x"#),
    (
        "bitbucket-app-password",
        r#"BITBUCKET_APP_PASSWORD=ATBB{a32}"#,
        r#"ATBBshort"#,
    ),
    (
        "atlassian-api-token",
        r#"JIRA_API_TOKEN=ATATT3{u186}"#,
        r#"ATATT3short"#,
    ),
    (
        "jira-api-token",
        r#"JIRA_TOKEN={a24}"#,
        r#"JIRA_TOKEN=your_jira_token_here"#,
    ),
    (
        "circleci-personal-token",
        r#"CIRCLE_TOKEN=CCIPAT_{a22}_{h40}"#,
        r#"CCIPAT_x"#,
    ),
    (
        "circleci-api-token",
        r#"CIRCLECI_TOKEN={h40}"#,
        r#"CIRCLECI_TOKEN=$CIRCLE_TOKEN"#,
    ),
    (
        "travis-ci-token",
        r#"TRAVIS_TOKEN={u22}"#,
        r#"TRAVIS_TOKEN=<token>"#,
    ),
    ("buildkite-token", r#"bkua_{h40}"#, r#"bkua_x"#),
    (
        "sonarqube-token",
        r#"SONAR_TOKEN=sqp_{h40}"#,
        r#"SONAR_TOKEN=sqp_"#,
    ),
    ("sourcegraph-token", r#"sgp_{h40}"#, r#"sgp_x"#),
    (
        "jfrog-api-key",
        r#"ARTIFACTORY_API_KEY=AKCp{a69}"#,
        r#"AKCp"#,
    ),
    (
        "jfrog-identity-token",
        r#"cmVmdGtuOjAxOj{a50}"#,
        r#"cmVmdGtuOjAxOj"#,
    ),
    (
        "pulumi-token",
        r#"PULUMI_ACCESS_TOKEN=pul-{h40}"#,
        r#"pul-x"#,
    ),
    (
        "terraform-cloud-token",
        r#"token = "{a14}.atlasv1.{u67}""#,
        r#"token = "xxxxxxxxxxxxxx.atlasv1.xxxx""#,
    ),
    (
        "vault-service-token",
        r#"VAULT_TOKEN=hvs.{u95}"#,
        r#"VAULT_TOKEN=hvs.x"#,
    ),
    ("vault-batch-token", r#"hvb.{u120}"#, r#"hvb.x"#),
    (
        "doppler-token",
        r#"DOPPLER_TOKEN=dp.pt.{a43}"#,
        r#"dp.pt.x"#,
    ),
    (
        "postman-api-key",
        r#"POSTMAN_API_KEY=PMAK-{h24}-{h34}"#,
        r#"PMAK-<key>"#,
    ),
    (
        "npm-access-token",
        r#"//registry.npmjs.org/:_authToken=npm_{a36}"#,
        r#"npm_config_cache=/tmp/npm_cache_directory_abcdefghijklmn"#,
    ),
    (
        "npmrc-auth-token",
        r#"//npm.example.net/:_authToken={u40}"#,
        r#"//registry.npmjs.org/:_authToken=${NPM_TOKEN}"#,
    ),
    (
        "pypi-upload-token",
        r#"password = pypi-AgEIcHlwaS5vcmc{u70}"#,
        r#"pypi-AgEIcHlwaS5vcmc"#,
    ),
    (
        "rubygems-api-key",
        r#"GEM_HOST_API_KEY=rubygems_{h48}"#,
        r#"rubygems_version"#,
    ),
    ("nuget-api-key", r#"nuget push -k oy2{l43}"#, r#"oy2short"#),
    (
        "dockerhub-pat",
        r#"DOCKERHUB_TOKEN=dckr_pat_{u27}"#,
        r#"dckr_pat_xxx"#,
    ),
    (
        "docker-config-auth",
        r#"{"auths": {"registry.example.net": {"auth": "{b40}"}}}"#,
        r#"{"auth": "none"}"#,
    ),
    ("clojars-token", r#"CLOJARS_{l60}"#, r#"CLOJARS_USERNAME"#),
    (
        "slack-bot-token",
        r#"SLACK_BOT_TOKEN=xoxb-{d12}-{d13}-{a24}"#,
        r#"xoxb-your-token"#,
    ),
    (
        "slack-user-token",
        r#"xoxp-{d12}-{d12}-{d13}-{h32}"#,
        r#"xoxp-1-2-3"#,
    ),
    (
        "slack-app-token",
        r#"xapp-1-A{U9}-{d13}-{h64}"#,
        r#"xapp-1-x"#,
    ),
    ("slack-legacy-token", r#"xoxa-2-{a30}"#, r#"xoxa-x"#),
    (
        "slack-webhook",
        r#"url: https://hooks.slack.com/services/T{U9}/B{U9}/{a24}"#,
        r#"url: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"#,
    ),
    (
        "discord-bot-token",
        r#"discord_token = "M{u24}.{u6}.{u27}""#,
        r#"discord_token = "M.short.token""#,
    ),
    (
        "discord-webhook",
        r#"https://discord.com/api/webhooks/{d18}/{u68}"#,
        r#"https://discord.com/api/webhooks/123/abc"#,
    ),
    (
        "telegram-bot-token",
        r#"TELEGRAM_TOKEN={d10}:AA{u33}"#,
        r#"time 12:AA"#,
    ),
    (
        "teams-webhook",
        r#"https://acme.webhook.office.com/webhookb2/{h8}-{h4}-{h4}-{h4}-{h12}@{h8}-{h4}-{h4}-{h4}-{h12}/IncomingWebhook/{h32}/{h8}-{h4}-{h4}-{h4}-{h12}"#,
        r#"https://acme.webhook.office.com/webhookb2/"#,
    ),
    (
        "google-chat-webhook",
        r#"https://chat.googleapis.com/v1/spaces/{a11}/messages?key={u39}&token={u43}"#,
        r#"https://chat.googleapis.com/v1/spaces/SPACE/messages"#,
    ),
    (
        "twilio-api-key",
        r#"TWILIO_API_KEY=SK{h32}"#,
        r#"TWILIO_ACCOUNT=AC-example"#,
    ),
    (
        "twilio-auth-token",
        r#"TWILIO_AUTH_TOKEN={h32}"#,
        r#"TWILIO_AUTH_TOKEN=your_auth_token"#,
    ),
    (
        "sendgrid-api-key",
        r#"SENDGRID_API_KEY=SG.{u22}.{u43}"#,
        r#"SG.example.key"#,
    ),
    (
        "mailgun-api-key",
        r#"MAILGUN_KEY=key-{h32}"#,
        r#"key-value store"#,
    ),
    (
        "mailchimp-api-key",
        r#"MAILCHIMP_KEY={h32}-us21"#,
        r#"MAILCHIMP_KEY=00000000000000000000000000000000-us1"#,
    ),
    ("brevo-api-key", r#"xkeysib-{h64}-{a16}"#, r#"xkeysib-x"#),
    ("mailersend-token", r#"mlsn.{h64}"#, r#"mlsn.x"#),
    (
        "stripe-secret-key",
        r#"STRIPE_SECRET_KEY=sk_live_{a24}"#,
        r#"STRIPE_SECRET_KEY=sk_live_..."#,
    ),
    ("stripe-restricted-key", r#"rk_live_{a32}"#, r#"rk_live_x"#),
    (
        "stripe-webhook-secret",
        r#"STRIPE_WEBHOOK_SECRET=whsec_{a32}"#,
        r#"whsec_..."#,
    ),
    (
        "braintree-access-token",
        r#"access_token$production${l16}${h32}"#,
        r#"access_token$sandbox$abc"#,
    ),
    (
        "paypal-client-secret",
        r#"PAYPAL_CLIENT_SECRET={u80}"#,
        r#"PAYPAL_CLIENT_SECRET=<secret>"#,
    ),
    (
        "square-access-token",
        r#"SQUARE_TOKEN=EAAA{u60}"#,
        r#"EAAA"#,
    ),
    ("square-oauth-secret", r#"sq0csp-{u43}"#, r#"sq0csp-x"#),
    (
        "shopify-access-token",
        r#"token=shpat_{h32}"#,
        r#"token=shpat_0"#,
    ),
    (
        "shopify-custom-app-token",
        r#"token=shpca_{h32}"#,
        r#"token=shpca_0"#,
    ),
    (
        "shopify-private-app-token",
        r#"token=shppa_{h32}"#,
        r#"token=shppa_0"#,
    ),
    (
        "shopify-shared-secret",
        r#"token=shpss_{h32}"#,
        r#"token=shpss_0"#,
    ),
    ("razorpay-live-key", r#"rzp_live_{a14}"#, r#"rzp_live_"#),
    (
        "flutterwave-secret-key",
        r#"FLWSECK-{h32}-X"#,
        r#"FLWSECK_TEST-x"#,
    ),
    (
        "plaid-access-token",
        r#"access-production-{h8}-{h4}-{h4}-{h4}-{h12}"#,
        r#"access-production-token"#,
    ),
    (
        "shippo-live-token",
        r#"shippo_live_{h40}"#,
        r#"shippo_live_"#,
    ),
    ("easypost-api-key", r#"EZAK{a54}"#, r#"EZAK"#),
    (
        "openai-api-key",
        r#"OPENAI_API_KEY=sk-{a20}T3BlbkFJ{a20}"#,
        r#"T3BlbkFJ is base64 of OpenAI"#,
    ),
    (
        "openai-project-key",
        r#"OPENAI_API_KEY=sk-proj-{u120}"#,
        r#"sk-proj-xxxx"#,
    ),
    ("openai-service-key", r#"sk-svcacct-{u80}"#, r#"sk-admin-x"#),
    (
        "anthropic-api-key",
        r#"ANTHROPIC_API_KEY=sk-ant-api03-{u95}"#,
        r#"sk-ant-api03-..."#,
    ),
    (
        "huggingface-token",
        r#"HF_TOKEN=hf_{a34}"#,
        r#"hf_hub_download_cache_directory_abc"#,
    ),
    (
        "huggingface-org-token",
        r#"api_org_{a34}"#,
        r#"api_org_name"#,
    ),
    ("groq-api-key", r#"GROQ_API_KEY=gsk_{a52}"#, r#"gsk_x"#),
    (
        "replicate-api-token",
        r#"REPLICATE_API_TOKEN=r8_{a37}"#,
        r#"r8_x"#,
    ),
    ("perplexity-api-key", r#"pplx-{a48}"#, r#"pplx-x"#),
    ("xai-api-key", r#"XAI_API_KEY=xai-{a80}"#, r#"xai-x"#),
    (
        "langsmith-api-key",
        r#"lsv2_pt_{h32}_{h10}"#,
        r#"lsv2_pt_x"#,
    ),
    (
        "databricks-token",
        r#"DATABRICKS_TOKEN=dapi{h32}"#,
        r#"dapi_version"#,
    ),
    (
        "wandb-api-key",
        r#"WANDB_API_KEY={h40}"#,
        r#"WANDB_API_KEY="#,
    ),
    (
        "cohere-api-key",
        r#"COHERE_API_KEY={a40}"#,
        r#"COHERE_API_KEY=<key>"#,
    ),
    (
        "linear-api-key",
        r#"LINEAR_API_KEY=lin_api_{a40}"#,
        r#"lin_api_"#,
    ),
    (
        "notion-integration-token",
        r#"NOTION_TOKEN=ntn_{d11}{a35}"#,
        r#"ntn_x"#,
    ),
    (
        "notion-secret",
        r#"NOTION_KEY=secret_{a43}"#,
        r#"secret_name = "db-password""#,
    ),
    (
        "okta-api-token",
        r#"OKTA_API_TOKEN=00{u40}"#,
        r#"OKTA_API_TOKEN=${OKTA_TOKEN}"#,
    ),
    (
        "grafana-service-account-token",
        r#"glsa_{a32}_{h8}"#,
        r#"glsa_x"#,
    ),
    ("grafana-cloud-token", r#"glc_{b80}"#, r#"glc_x"#),
    ("grafana-api-key", r#"eyJrIjoi{a80}"#, r#"eyJrIjoi"#),
    (
        "newrelic-user-key",
        r#"NEW_RELIC_API_KEY=NRAK-{U27}"#,
        r#"NRAK-x"#,
    ),
    ("newrelic-insert-key", r#"NRII-{u32}"#, r#"NRII-x"#),
    ("newrelic-browser-key", r#"NRJS-{h19}"#, r#"NRJS-x"#),
    (
        "sentry-dsn",
        r#"SENTRY_DSN=https://{h32}@o{d6}.ingest.sentry.io/{d7}"#,
        r#"SENTRY_DSN=https://public@sentry.example.com/1"#,
    ),
    (
        "sentry-org-token",
        r#"SENTRY_AUTH_TOKEN=sntrys_eyJ{u100}"#,
        r#"sntrys_x"#,
    ),
    ("sentry-user-token", r#"sntryu_{h64}"#, r#"sntryu_x"#),
    (
        "datadog-api-key",
        r#"DD_API_KEY={h32}"#,
        r#"DD_API_KEY=<DATADOG_API_KEY>"#,
    ),
    ("datadog-app-key", r#"DD_APP_KEY={h40}"#, r#"DD_APP_KEY="#),
    (
        "algolia-admin-key",
        r#"ALGOLIA_ADMIN_API_KEY={h32}"#,
        r#"ALGOLIA_APP_ID=ABC"#,
    ),
    (
        "firebase-fcm-server-key",
        r#"key=AAAA{u7}:APA91b{u134}"#,
        r#"APA91b"#,
    ),
    (
        "mapbox-secret-token",
        r#"MAPBOX_TOKEN=sk.eyJ1Ijoi{u40}.{u22}"#,
        r#"pk.eyJ1Ijoi"#,
    ),
    (
        "twitch-oauth-token",
        r#"TWITCH_OAUTH_TOKEN=oauth:{l30}"#,
        r#"TWITCH_CHANNEL=mychannel"#,
    ),
    ("facebook-access-token", r#"FB_TOKEN=EAAB{a120}"#, r#"EAAB"#),
    (
        "facebook-app-secret",
        r#"FACEBOOK_APP_SECRET={h32}"#,
        r#"FACEBOOK_APP_SECRET="#,
    ),
    (
        "instagram-access-token",
        r#"IG_TOKEN=IGQV{u120}"#,
        r#"IGQV"#,
    ),
    (
        "twitter-bearer-token",
        r#"TWITTER_BEARER=AAAAAAAAAAAAAAAAAAAAA{a80}"#,
        r#"padding AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"#,
    ),
    (
        "twitter-api-secret",
        r#"TWITTER_API_SECRET={a50}"#,
        r#"TWITTER_HANDLE=someone"#,
    ),
    (
        "linkedin-client-secret",
        r#"LINKEDIN_CLIENT_SECRET={a16}"#,
        r#"LINKEDIN_CLIENT_SECRET="#,
    ),
    (
        "dropbox-access-token",
        r#"DROPBOX_TOKEN=sl.{u140}"#,
        r#"ssl.SSLContext"#,
    ),
    (
        "box-token",
        r#"BOX_CLIENT_SECRET={a32}"#,
        r#"BOX_CLIENT_SECRET=<secret>"#,
    ),
    (
        "asana-pat",
        r#"ASANA_TOKEN=1/{d16}:{a32}"#,
        r#"ASANA_WORKSPACE=1/123"#,
    ),
    (
        "airtable-pat",
        r#"AIRTABLE_TOKEN=pat{a14}.{h64}"#,
        r#"AIRTABLE_BASE=app123"#,
    ),
    ("contentful-pat", r#"CFPAT-{u43}"#, r#"CFPAT-x"#),
    ("figma-pat", r#"FIGMA_TOKEN=figd_{u40}"#, r#"figd_x"#),
    (
        "trello-token",
        r#"TRELLO_TOKEN={h64}"#,
        r#"TRELLO_BOARD=abc"#,
    ),
    (
        "clickup-pat",
        r#"CLICKUP_TOKEN=pk_{d8}_{U32}"#,
        r#"pk_live_ok"#,
    ),
    (
        "hubspot-pat",
        r#"HUBSPOT_TOKEN=pat-na1-{h8}-{h4}-{h4}-{h4}-{h12}"#,
        r#"pat-na1-x"#,
    ),
    ("typeform-pat", r#"tfp_{u59}"#, r#"tfp_x"#),
    (
        "prefect-api-key",
        r#"PREFECT_API_KEY=pnu_{a36}"#,
        r#"pnu_x"#,
    ),
    ("readme-api-key", r#"rdme_{l70}"#, r#"rdme_x"#),
    (
        "dynatrace-token",
        r#"DT_API_TOKEN=dt0c01.{U24}.{U64}"#,
        r#"dt0c01.x"#,
    ),
    (
        "adafruit-io-key",
        r#"ADAFRUIT_IO_KEY=aio_{a28}"#,
        r#"aio_x"#,
    ),
    (
        "onepassword-service-token",
        r#"OP_SERVICE_ACCOUNT_TOKEN=ops_eyJ{b260}"#,
        r#"ops_eyJ"#,
    ),
    (
        "onepassword-secret-key",
        r#"A3-{U6}-{U6}-{U5}-{U5}-{U5}-{U5}"#,
        r#"A3-XXXXXX"#,
    ),
    (
        "ngrok-token",
        r#"ngrok config add-authtoken 2{a26}_{a21}"#,
        r#"ngrok http 80"#,
    ),
    (
        "fastly-api-token",
        r#"FASTLY_API_TOKEN={u32}"#,
        r#"FASTLY_SERVICE=cdn"#,
    ),
    (
        "snyk-token",
        r#"SNYK_TOKEN={h8}-{h4}-{h4}-{h4}-{h12}"#,
        r#"SNYK_TOKEN=$SNYK"#,
    ),
    ("frameio-token", r#"fio-u-{u64}"#, r#"fio-u-x"#),
    ("scalingo-token", r#"tk-us-{u48}"#, r#"tk-us-x"#),
    (
        "duffel-live-token",
        r#"duffel_live_{u43}"#,
        r#"duffel_live_x"#,
    ),
    (
        "rsa-private-key",
        r#"-----BEGIN RSA PRIVATE KEY-----
{b64}
{b64}
{b64}
-----END RSA PRIVATE KEY-----
"#,
        r#"-----BEGIN RSA PRIVATE KEY-----
...
-----END RSA PRIVATE KEY-----
"#,
    ),
    (
        "ec-private-key",
        r#"-----BEGIN EC PRIVATE KEY-----
{b64}
{b64}
{b64}
-----END EC PRIVATE KEY-----
"#,
        r#"-----BEGIN EC PRIVATE KEY-----
...
-----END EC PRIVATE KEY-----
"#,
    ),
    (
        "dsa-private-key",
        r#"-----BEGIN DSA PRIVATE KEY-----
{b64}
{b64}
{b64}
-----END DSA PRIVATE KEY-----
"#,
        r#"-----BEGIN DSA PRIVATE KEY-----
...
-----END DSA PRIVATE KEY-----
"#,
    ),
    (
        "openssh-private-key",
        r#"-----BEGIN OPENSSH PRIVATE KEY-----
{b64}
{b64}
{b64}
-----END OPENSSH PRIVATE KEY-----
"#,
        r#"-----BEGIN OPENSSH PRIVATE KEY-----
...
-----END OPENSSH PRIVATE KEY-----
"#,
    ),
    (
        "encrypted-private-key",
        r#"-----BEGIN ENCRYPTED PRIVATE KEY-----
{b64}
{b64}
{b64}
-----END ENCRYPTED PRIVATE KEY-----
"#,
        r#"-----BEGIN ENCRYPTED PRIVATE KEY-----
...
-----END ENCRYPTED PRIVATE KEY-----
"#,
    ),
    (
        "pkcs8-private-key",
        r#"-----BEGIN PRIVATE KEY-----
{b64}
{b64}
{b64}
-----END PRIVATE KEY-----
"#,
        r#"-----BEGIN PRIVATE KEY-----
...
-----END PRIVATE KEY-----
"#,
    ),
    (
        "pgp-private-key-block",
        r#"-----BEGIN PGP PRIVATE KEY BLOCK-----
{b64}
{b64}
{b64}
-----END PGP PRIVATE KEY BLOCK-----
"#,
        r#"-----BEGIN PGP PRIVATE KEY BLOCK-----
...
-----END PGP PRIVATE KEY BLOCK-----
"#,
    ),
    (
        "putty-private-key",
        r#"PuTTY-User-Key-File-3: ssh-ed25519
Encryption: none
Comment: k
Public-Lines: 2
{b64}
{b16}
Private-Lines: 1
{b44}
"#,
        r#"PuTTY-User-Key-File-3: ssh-ed25519
Encryption: none
"#,
    ),
    (
        "age-secret-key",
        r#"AGE-SECRET-KEY-1{g58}"#,
        r#"AGE-SECRET-KEY-1 goes here"#,
    ),
    (
        "kubeconfig-client-key",
        r#"    client-key-data: {b160}"#,
        r#"    client-key-data: REDACTED"#,
    ),
    (
        "jwt",
        r#"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJ{u40}.{u43}"#,
        r#"eyJhbGciOiJIUzI1NiJ9 alone"#,
    ),
    ("laravel-app-key", r#"APP_KEY=base64:{b43}="#, r#"APP_KEY="#),
    (
        "postgres-url",
        r#"postgresql://app_user:{a16}@db.internal:5432/app"#,
        r#"postgresql://app_user:${DB_PASSWORD}@db.internal/app"#,
    ),
    (
        "mysql-url",
        r#"mysql://app_user:{a16}@db.internal:5432/app"#,
        r#"mysql://app_user:${DB_PASSWORD}@db.internal/app"#,
    ),
    (
        "mongodb-url",
        r#"mongodb+srv://app_user:{a16}@db.internal:5432/app"#,
        r#"mongodb+srv://app_user:${DB_PASSWORD}@db.internal/app"#,
    ),
    (
        "redis-url",
        r#"redis://app_user:{a16}@db.internal:5432/app"#,
        r#"redis://app_user:${DB_PASSWORD}@db.internal/app"#,
    ),
    (
        "amqp-url",
        r#"amqps://app_user:{a16}@db.internal:5432/app"#,
        r#"amqps://app_user:${DB_PASSWORD}@db.internal/app"#,
    ),
    (
        "mssql-url",
        r#"mssql://app_user:{a16}@db.internal:5432/app"#,
        r#"mssql://app_user:${DB_PASSWORD}@db.internal/app"#,
    ),
    (
        "ftp-url",
        r#"ftp://app_user:{a16}@db.internal:5432/app"#,
        r#"ftp://app_user:${DB_PASSWORD}@db.internal/app"#,
    ),
    (
        "smtp-url",
        r#"smtp://app_user:{a16}@db.internal:5432/app"#,
        r#"smtp://app_user:${DB_PASSWORD}@db.internal/app"#,
    ),
    (
        "ldap-url",
        r#"ldap://app_user:{a16}@db.internal:5432/app"#,
        r#"ldap://app_user:${DB_PASSWORD}@db.internal/app"#,
    ),
    (
        "basic-auth-url",
        r#"https://app_user:{a16}@db.internal:5432/app"#,
        r#"https://app_user:${DB_PASSWORD}@db.internal/app"#,
    ),
    (
        "jdbc-password",
        r#"jdbc:sqlserver://db:1433;databaseName=app;user=sa;password={a14}"#,
        r#"jdbc:postgresql://db/app?user=app&password=${DB_PASSWORD}"#,
    ),
    (
        "netrc-password",
        r#"machine api.example.org login deploy password {a20}"#,
        r#"machine api.example.org login deploy password $NETRC_PASSWORD"#,
    ),
    (
        "generic-password",
        r#"db_password = "{a14}""#,
        r#"db_password = self.config.password"#,
    ),
    (
        "generic-secret",
        r#"client_secret: "{u32}""#,
        r#"client_secret: "aaaaaaaaaaaaaaaaaaaaaaaa""#,
    ),
    (
        "generic-token",
        r#"AUTH_TOKEN={u40}"#,
        r#"AUTH_TOKEN=your-token-here-please"#,
    ),
    (
        "generic-api-key",
        r#"const apiKey = "{a32}";"#,
        r#"const apiKey = "<YOUR_API_KEY>";"#,
    ),
];

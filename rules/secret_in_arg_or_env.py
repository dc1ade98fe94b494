"""DL3064: an ARG or ENV whose name says it holds a secret."""

from __future__ import annotations

from collections.abc import Iterable

from dockerlint_slim.findings import Severity
from dockerlint_slim.lazy import lazy_pattern
from dockerlint_slim.model import Instruction
from dockerlint_slim.rule import Context, Rule, Violation
from dockerlint_slim.scanner import RawInstruction

from ._common import arg_words, own

# names of credentials that well-known tools read from the environment
_KNOWN = frozenset(
    {
        "ACCESS_TOKEN",
        "APPLICATION_KEY",
        "APP_SECRET",
        "AUTH_TOKEN",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "BITTREX_API_KEY",
        "BITTREX_API_SECRET",
        "CF_PASSWORD",
        "CF_USERNAME",
        "CIRCLE_TOKEN",
        "CI_DEPLOY_PASSWORD",
        "CI_DEPLOY_USER",
        "DOCKERHUB_PASSWORD",
        "DOCKER_EMAIL",
        "DOCKER_PASSWORD",
        "DOCKER_USERNAME",
        "FACEBOOK_ACCESS_TOKEN",
        "FACEBOOK_APP_ID",
        "FACEBOOK_APP_SECRET",
        "FIREBASE_API_TOKEN",
        "FIREBASE_TOKEN",
        "FOSSA_API_KEY",
        "GH_ENTERPRISE_TOKEN",
        "GH_TOKEN",
        "GITHUB_ENTERPRISE_TOKEN",
        "GITHUB_TOKEN",
        "HEROKU_API_KEY",
        "HEROKU_API_USER",
        "HF_TOKEN",
        "NPM_AUTH_TOKEN",
        "NPM_TOKEN",
        "OKTA_AUTHN_GROUPID",
        "OKTA_CLIENT_ORGURL",
        "OKTA_CLIENT_TOKEN",
        "OKTA_OAUTH2_CLIENTID",
        "OKTA_OAUTH2_CLIENTSECRET",
        "OPENAI_API_KEY",
        "OS_PASSWORD",
        "OS_USERNAME",
        "PIP_INDEX_URL_PASSWORD",
        "POSTGRES_PASSWORD",
        "SLACK_TOKEN",
        "STRIPE_API_KEY",
        "STRIPE_DEVICE_NAME",
        "TRAVIS_OS_NAME",
        "TRAVIS_SECURE_ENV_VARS",
        "TRAVIS_SUDO",
        "VAULT_CLIENT_KEY",
        "VAULT_TOKEN",
    }
)
_SUSPICIOUS = ("api_key", "client_key", "password", "private", "secret", "token", "username")
# names that point at a secret instead of holding it (`POSTGRES_PASSWORD_FILE=/run/secrets/db`)
_POINTER = lazy_pattern(r"(?i)_(file|path|dir|filename|location)$")
_NAME = lazy_pattern(r"[A-Za-z_][A-Za-z0-9_]*")


def _names(raw: RawInstruction, text: str, escape: str) -> list[tuple[str, int, int]]:
    """The variables an ARG or ENV sets, with the span of each name."""
    words = arg_words(raw, text, escape)
    if raw.keyword == "ENV" and words and "=" not in words[0].text:
        words = words[:1]  # the legacy form `ENV NAME value with spaces`
    out = []
    for word in words:
        name = word.text.partition("=")[0]
        if _NAME.fullmatch(name):
            out.append((name, word.start, word.start + len(name)))
    return out


def sensitive(name: str) -> bool:
    if _POINTER.search(name):
        return False
    return name.upper() in _KNOWN or any(s in name.lower() for s in _SUSPICIOUS)


class SecretInArgOrEnv(Rule):
    """
    ## What it does
    Checks the names that `ARG` and `ENV` set (also before the first `FROM` and inside
    `ONBUILD`) for credentials: names that tools use for secrets (`AWS_SECRET_ACCESS_KEY`,
    `GITHUB_TOKEN`, `POSTGRES_PASSWORD`, …) and names containing `password`, `secret`,
    `token`, `api_key`, `client_key`, `private` or `username`, in any case.

    ## Why is this bad?
    An `ENV` value is stored in the image's configuration and shown by `docker inspect` to
    anyone who can pull the image. An `ARG` value passed with `--build-arg` is recorded in
    the image history of every layer that uses it. Build secrets belong in a secret mount
    (`RUN --mount=type=secret,id=token …`), run-time secrets in the container's
    environment when it starts.

    Unlike hadolint, a name that points at a secret instead of holding it (ending in
    `_FILE`, `_PATH`, `_DIR`, `_FILENAME`, `_LOCATION`, as in
    `POSTGRES_PASSWORD_FILE=/run/secrets/db`, the pattern official images recommend) is not
    flagged.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    ARG GITHUB_TOKEN
    RUN git clone "https://${GITHUB_TOKEN}@github.com/example/lib.git"
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    RUN --mount=type=secret,id=github_token \\
        git clone "https://$(cat /run/secrets/github_token)@github.com/example/lib.git"
    ```

    ## Fix safety
    No fix: where the secret should come from is not known.

    ## References
    - [Docker: build secrets](https://docs.docker.com/build/building/secrets/)
    - [Docker: SecretsUsedInArgOrEnv build check](https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/)
    - [hadolint DL3064](https://github.com/hadolint/hadolint/wiki/DL3064)
    """

    code = "DL3064"
    name = "secret-in-arg-or-env"
    severity = Severity.WARNING
    message = "Potentially sensitive data is passed through `ARG` or `ENV`."
    fix_title = None
    fix_safety = None
    hadolint = ("DL3064",)
    shipped_only = False
    keywords = frozenset({"ARG", "ENV", "ONBUILD"})

    def finish(self, ctx: Context) -> Iterable[Violation]:
        # every ARG and ENV, the ARGs before the first FROM (which belong to no stage) too
        df = ctx.dockerfile
        for inst in df.instructions:
            yield from self._judge(inst, ctx)

    def _judge(self, inst: Instruction, ctx: Context) -> Iterable[Violation]:
        raw = own(inst)
        if raw.keyword not in ("ARG", "ENV"):
            return
        df = ctx.dockerfile
        for name, start, end in _names(raw, df.text, df.scan.escape):
            if sensitive(name):
                message = (
                    f"`{raw.keyword} {name}` looks like a secret, which would be kept in the "
                    f"image's {'configuration' if raw.keyword == 'ENV' else 'history'}: "
                    "use a secret mount instead."
                )
                yield self.violation(start, end, message=message)

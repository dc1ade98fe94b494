"""benchmarks/hadolint_spec_replay.py reads hadolint's Haskell rule tests (a made-up spec
here, in their shape) into cases."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.support import REPO


def _module():
    path = REPO / "benchmarks" / "hadolint_spec_replay.py"
    spec = importlib.util.spec_from_file_location("hadolint_spec_replay", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


SPEC = r"""
spec = do
  let ?config = mempty
  describe "DL9990 - a made-up rule" $ do
    it "one string" $ ruleCatches "DL9990" "RUN a \"quoted\" word"
    it "a gap" $
      ruleCatchesNot
        "DL9990"
        "RUN first half \
        \second half"
    it "a list" $
      let dockerFile =
            [ "FROM scratch",
              "RUN one \\",
              "  two"
            ]
       in do
            ruleCatches "DL9990" $ Text.unlines dockerFile
            onBuildRuleCatchesNot "DL9990" $ Text.unlines dockerFile
    -- ruleCatches "DL9990" "a comment, not a case"
    it "not read" $ ruleCatches "DL9990" (someFunction 3)
    it "a bound text" $
      let dockerFile =
            Text.unlines
              [ "FROM scratch",
                "COPY a b"
              ]
       in do
            ruleCatchesNot "DL9990" dockerFile
    it "counted" $
      let dockerFile = [ "RUN x", "RUN y" ]
       in assertChecks
            (Text.unlines dockerFile)
            (failsWith 2 "DL9990")
  let rule = "DL9991"
  describe "DL9991 - a bound code" $ do
    it "a name for the code" $ ruleCatches rule "USER root"
    it "not a code" $ ruleCatches "FROM scratch\nDL9991" "USER root"
"""


def test_spec_cases_are_read_with_their_texts(tmp_path: Path):
    replay = _module()
    spec = tmp_path / "DL9990Spec.hs"
    spec.write_text(SPEC)
    cases, unread = replay.read_spec(spec)
    assert [(c.code, c.caught, c.text) for c in cases] == [
        ("DL9990", True, 'RUN a "quoted" word'),
        ("DL9990", False, "RUN first half second half"),
        ("DL9990", True, "FROM scratch\nRUN one \\\n  two\n"),
        # only RUN is wrapped, as hadolint's test helper does
        ("DL9990", False, "FROM scratch\nONBUILD RUN one \\\n  two\n"),
        ("DL9990", False, "FROM scratch\nCOPY a b\n"),
        ("DL9990", True, "RUN x\nRUN y\n"),
        ("DL9991", True, "USER root"),
    ]
    assert unread == 2


def test_a_snippet_without_from_gets_one_for_its_package_manager():
    replay = _module()
    assert replay._with_from("RUN apk add curl\n").startswith("FROM alpine:")
    assert replay._with_from("RUN cd /opt\n") == "FROM debian:bookworm\nRUN cd /opt\n"
    assert replay._with_from("FROM x\nRUN cd /opt\n") == "FROM x\nRUN cd /opt\n"


CONFIGURED = r"""
spec = do
  let ?config = def
  describe "DL9992 - a configured rule" $ do
    it "plain" $ ruleCatchesNot "DL9992" "FROM x.com/a"
    it "registries" $ do
      let ?config = def { allowedRegistries = ["docker.io", "*.x.com"] }
      ruleCatches "DL9992" "FROM y.com/a"
  let ?config =
        mempty
          { labelSchema = Map.fromList [("url", Rule.Url), ("sum", GitHash)],
            strictLabels = Just True
          }
  describe "DL9993 - labels" $ do
    it "schema" $ ruleCatches "DL9993" "LABEL url=x"
"""


def test_the_config_of_a_spec_goes_with_its_cases(tmp_path: Path):
    replay = _module()
    spec = tmp_path / "DL9992Spec.hs"
    spec.write_text(CONFIGURED)
    cases, unread = replay.read_spec(spec)
    assert unread == 0
    assert [c.config for c in cases] == [
        replay.Config(),
        replay.Config(registries=("docker.io", "*.x.com")),
        replay.Config(label_schema=(("url", "url"), ("sum", "hash")), strict_labels=True),
    ]


def test_a_hadolint_executable_gets_the_case_and_its_configuration(tmp_path: Path):
    replay = _module()
    fake = tmp_path / "hadolint"
    # reports the code it was told to switch on when a trusted registry was given
    fake.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "a = sys.argv\n"
        "text = sys.stdin.read()\n"
        "code = a[a.index('--warning') + 1]\n"
        "hit = '--trusted-registry' in a and text.startswith('FROM x.com/a')\n"
        "print(json.dumps([{'code': code}] if hit else []))\n"
    )
    fake.chmod(0o755)
    case = replay.Case("DL3026", True, "FROM x.com/a\n", "DL3026Spec.hs:1")
    assert replay._hadolint_catches(str(fake), case) is False
    trusted = replay.Case(
        "DL3026", True, "FROM x.com/a\n", "DL3026Spec.hs:2", replay.Config(registries=("y",))
    )
    assert replay._hadolint_catches(str(fake), trusted) is True


def test_deliberate_differences_name_rules_and_match_only_their_cases():
    replay = _module()
    from dockerlint_slim.rule import all_rules

    codes = {r.code for r in all_rules()}
    assert all(d.code in codes and d.reason for d in replay._DELIBERATE)
    unshipped = "FROM debian AS base\nONBUILD RUN apt-get update\nFROM scratch\nRUN x\n"
    shipped = "FROM debian AS base\nONBUILD RUN apt-get update\nFROM base\nRUN x\n"
    covered = [d for d in replay._DELIBERATE if d.covers("DL3009", unshipped)]
    assert covered and not [d for d in replay._DELIBERATE if d.covers("DL3009", shipped)]
    assert not [d for d in replay._DELIBERATE if d.covers("DL3015", unshipped)]
    falsy = "RUN PIP_NO_CACHE_DIR=off pip install flask\n"
    assert [d for d in replay._DELIBERATE if d.covers("DL3042", falsy)]
    assert not [d for d in replay._DELIBERATE if d.covers("DL3042", "RUN pip install flask\n")]

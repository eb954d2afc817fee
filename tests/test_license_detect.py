"""The project's own license: full texts reformatted, several licenses, metadata, bad files.

Expected SPDX ids are written by hand from the SPDX list (https://spdx.org/licenses/),
not taken from the code under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from osslever.errors import UserError
from osslever.models.license import detect_license
from osslever.models.license.detect import analyse_text
from tests.license_helpers import commit_all, git, init_repo, license_text, reformat

# LicenseDB key → SPDX id, from the SPDX license list.
REAL_TEXTS = {
    "mit": "MIT",
    "apache-2.0": "Apache-2.0",
    "gpl-2.0": "GPL-2.0-only",
    "gpl-3.0": "GPL-3.0-only",
    "agpl-3.0": "AGPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only",
    "bsd-new": "BSD-3-Clause",
    "bsd-simplified": "BSD-2-Clause",
    "mpl-2.0": "MPL-2.0",
    "isc": "ISC",
    "unlicense": "Unlicense",
    "epl-2.0": "EPL-2.0",
    "mongodb-sspl-1.0": "SSPL-1.0",
    "elastic-license-v2": "Elastic-2.0",
    "sustainable-use-1.0": "SUL-1.0",
    "polyform-noncommercial-1.0.0": "PolyForm-Noncommercial-1.0.0",
    "boost-1.0": "BSL-1.0",
    "bsl-1.1": "BUSL-1.1",
    "zlib": "Zlib",
    "postgresql": "PostgreSQL",
}


@pytest.mark.parametrize("key,expected", sorted(REAL_TEXTS.items()))
def test_reformatted_real_text_is_recognised(key: str, expected: str) -> None:
    text = reformat(license_text(key), width=47 + len(key) % 20, holder=f"Holder {key}")
    finding = analyse_text("LICENSE", text)
    assert finding.spdx == expected
    assert finding.confidence >= 0.9


def test_boost_and_business_source_are_not_confused(tmp_path: Path) -> None:
    boost, busl = tmp_path / "boost", tmp_path / "busl"
    boost.mkdir()
    busl.mkdir()
    (boost / "LICENSE_1_0.txt").write_text(license_text("boost-1.0"))
    (busl / "LICENSE").write_text(license_text("bsl-1.1"))
    assert detect_license(boost)["spdx"] == "BSL-1.0"
    result = detect_license(busl)
    assert result["spdx"] == "BUSL-1.1"
    assert result["category"] == ["Source-available"]


def test_busl_parameters_are_read(tmp_path: Path) -> None:
    header = (
        "License text copyright (c) 2020 MariaDB Corporation Ab, All Rights Reserved.\n"
        "Parameters\n\nLicensor:             HashiCorp, Inc.\n"
        "Licensed Work:        Terraform 1.6.0\n"
        "Additional Use Grant: You may make production use of the Licensed Work, provided\n"
        "                      Your use does not include offering the Licensed Work to third\n"
        "                      parties on a hosted or embedded basis.\n\n"
        "Change Date:          2027-09-01\n\nChange License:       MPL 2.0\n\n"
    )
    (tmp_path / "LICENSE").write_text(header + license_text("bsl-1.1"))
    result = detect_license(tmp_path)
    assert result["spdx"] == "BUSL-1.1"
    assert result["parameters"]["change_date"] == "2027-09-01"
    assert result["parameters"]["change_license"] == "MPL 2.0"
    assert result["parameters"]["licensor"] == "HashiCorp, Inc."
    assert "hosted or embedded" in result["parameters"]["additional_use_grant"]


def test_declared_bsl_1_1_is_read_as_busl_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"name": "x", "license": "BSL-1.1"}))
    result = detect_license(tmp_path)
    assert result["spdx"] == "BUSL-1.1"
    assert any(n["key"] == "license.note.bsl_means_busl" for n in result["notes"])


def test_redis_style_dual_source_available_file(tmp_path: Path) -> None:
    preamble = (
        "Starting on March 20th, 2024, Redis is dual-licensed under your choice of the\n"
        "Redis Source Available License 2.0 (RSALv2) or the Server Side Public License v1.\n\n"
    )
    text = preamble + license_text("rsalv2") + "\n\n" + license_text("mongodb-sspl-1.0")
    (tmp_path / "LICENSE.txt").write_text(text)
    result = detect_license(tmp_path)
    assert set(result["spdx"].split(" OR ")) == {"LicenseRef-scancode-rsalv2", "SSPL-1.0"}
    assert result["files"] == ["LICENSE.txt"]


def test_concatenated_licenses_without_choice_words_all_apply(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_text(license_text("apache-2.0") + "\n\n" + license_text("mit"))
    assert set(detect_license(tmp_path)["spdx"].split(" AND ")) == {"Apache-2.0", "MIT"}


def test_rust_style_license_files_are_alternatives(tmp_path: Path) -> None:
    (tmp_path / "LICENSE-MIT").write_text(reformat(license_text("mit")))
    (tmp_path / "LICENSE-APACHE").write_text(license_text("apache-2.0"))
    result = detect_license(tmp_path)
    assert set(result["spdx"].split(" OR ")) == {"Apache-2.0", "MIT"}


def test_cargo_metadata_expression_wins_when_it_names_the_same_licenses(tmp_path: Path) -> None:
    (tmp_path / "LICENSE-MIT").write_text(license_text("mit"))
    (tmp_path / "LICENSE-APACHE").write_text(license_text("apache-2.0"))
    (tmp_path / "Cargo.toml").write_text('[package]\nname = "x"\nversion = "0.1.0"\nlicense = "MIT OR Apache-2.0"\n')
    result = detect_license(tmp_path)
    assert result["spdx"] == "MIT OR Apache-2.0"
    assert "Cargo.toml" in result["files"]
    assert result["confidence"] >= 0.95


def test_gpl_plus_commercial_offer_is_dual_licensing(tmp_path: Path) -> None:
    text = (
        "This program is available under the GNU General Public License version 3.\n"
        "For use in closed-source products a commercial license is available from Example Ltd.\n\n"
        + license_text("gpl-3.0")
    )
    (tmp_path / "COPYING").write_text(text)
    assert detect_license(tmp_path)["spdx"] == "GPL-3.0-only OR LicenseRef-Commercial"


def test_open_core_ee_folder_is_a_scoped_license(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_text(license_text("mit"))
    (tmp_path / "ee").mkdir()
    (tmp_path / "ee" / "LICENSE").write_text(license_text("elastic-license-v2"))
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)
    (tmp_path / "tests" / "fixtures" / "LICENSE").write_text(license_text("gpl-3.0"))
    result = detect_license(tmp_path)
    assert result["spdx"] == "MIT"
    assert [(s["path"], s["spdx"]) for s in result["scoped"]] == [("ee", "Elastic-2.0")]


def test_no_license_at_all_is_none(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("print('hello')\n")
    result = detect_license(tmp_path)
    assert result["spdx"] == "NONE"
    assert any(n["key"] == "license.note.no_license" for n in result["notes"])


def test_metadata_only(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nlicense = "Apache 2.0"\n')
    result = detect_license(tmp_path)
    assert (result["spdx"], result["files"]) == ("Apache-2.0", ["pyproject.toml"])


def test_metadata_that_disagrees_with_the_files_is_noted(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").write_text(license_text("mit"))
    (tmp_path / "package.json").write_text(json.dumps({"license": "ISC"}))
    result = detect_license(tmp_path)
    assert result["spdx"] == "MIT"
    assert any(n["key"] == "license.note.metadata_disagrees" for n in result["notes"])


def test_spdx_headers_when_there_is_no_license_file(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for i in range(3):
        (src / f"m{i}.go").write_text("// SPDX-License-Identifier: MPL-2.0\npackage m\n")
    result = detect_license(tmp_path)
    assert result["spdx"] == "MPL-2.0"
    assert any(n["key"] == "license.note.from_headers" for n in result["notes"])


def test_reuse_licenses_folder(tmp_path: Path) -> None:
    (tmp_path / "LICENSES").mkdir()
    (tmp_path / "LICENSES" / "GPL-2.0-or-later.txt").write_text(license_text("gpl-2.0"))
    assert detect_license(tmp_path)["spdx"] == "GPL-2.0-only"


def test_unknown_text_names_the_closest_license(tmp_path: Path) -> None:
    mit = license_text("mit").split()
    # Keep every other sentence-sized chunk of MIT and add words of our own.
    mangled = " ".join(w if i % 9 else "zebra quantum" for i, w in enumerate(mit))
    (tmp_path / "LICENSE").write_text(mangled)
    result = detect_license(tmp_path)
    assert result["spdx"] == "NOASSERTION"
    note = next(n for n in result["notes"] if n["key"] == "license.note.unknown_text")
    assert note["params"]["closest"] == "MIT"
    assert 20 <= int(note["params"]["percent"]) < 80
    assert "closest match MIT at" in note["text"]["en"]


def test_bad_license_files_are_reported_and_the_scan_completes(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "LICENSE").write_text(license_text("apache-2.0"))
    (tmp_path / "COPYING").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0binary")
    (tmp_path / "NOTICE").write_bytes(b"x" * 1_500_000)
    (tmp_path / "LICENCE.md").write_text("")
    (tmp_path / "UNLICENSE").write_text("whatever")
    real_open = Path.open

    def deny(self: Path, *args, **kwargs):
        if self.name == "UNLICENSE":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    result = detect_license(tmp_path)
    assert result["spdx"] == "Apache-2.0"
    keys = {(p["params"]["path"], p["key"]) for p in result["problems"]}
    assert keys == {
        ("COPYING", "license.file.binary"),
        ("NOTICE", "license.file.too_large"),
        ("LICENCE.md", "license.file.empty"),
        ("UNLICENSE", "license.file.unreadable"),
    }


def test_git_ref_and_bare_repository(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "LICENSE").write_text(license_text("mit"))
    first = commit_all(repo, "mit", "2020-01-01T00:00:00+00:00")
    (repo / "LICENSE").write_text(license_text("apache-2.0"))
    commit_all(repo, "apache", "2021-01-01T00:00:00+00:00")
    (repo / "LICENSE").write_text("work in progress, not committed")
    assert detect_license(repo, ref=first)["spdx"] == "MIT"
    assert detect_license(repo, ref="HEAD")["spdx"] == "Apache-2.0"
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    assert detect_license(bare)["spdx"] == "Apache-2.0"
    with pytest.raises(UserError) as err:
        detect_license(repo, ref="no-such-branch")
    assert err.value.key == "license.bad_ref"


def test_missing_path_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        detect_license(tmp_path / "missing")
    assert err.value.key == "license.no_such_path"

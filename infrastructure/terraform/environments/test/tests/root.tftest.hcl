# The test root as deployed: its own trust files, mocked AWS.
mock_provider "aws" {
  source = "../../tests/mocks"
}

run "test_environment_plans_from_its_trust_files" {
  command = apply

  assert {
    condition     = toset(keys(output.trusts)) == toset(["RX1", "R0A"])
    error_message = "every trust file in trusts/ is deployed"
  }
  assert {
    condition     = toset(keys(output.trusts["RX1"].endpoints)) == toset(["ehr", "bleep"]) && toset(keys(output.trusts["R0A"].endpoints)) == toset(["pas"])
    error_message = "every endpoint of every trust file is deployed"
  }
}

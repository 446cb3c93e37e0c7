package e2e

import (
	"os"
	"testing"
)

// TestMain stops the per-binary instance started lazily by Shared.
func TestMain(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

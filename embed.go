// Package foi holds the files that ship inside the foi binary but belong at
// the top of the repository: the documented example configuration and the
// example campaign. The program itself lives in cmd/foi and the packages
// beside this file.
package foi

import (
	"embed"
	_ "embed"
)

// ConfigExample is config.example.yaml: `foi init` writes it as foi.yaml.
//
//go:embed config.example.yaml
var ConfigExample []byte

// Examples is the example campaign: letters and the authorities' CSV.
//
//go:embed examples
var Examples embed.FS

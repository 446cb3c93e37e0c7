// Flags: recording the problems met while parsing, and mapping enmime's errors
// and header warnings onto this package's stable flag codes.

package inbox

import (
	"fmt"
	"slices"

	"github.com/jhillyerd/enmime/v2"
)

// flagCollector receives enmime's header warnings.
type flagCollector struct{ flags []Flag }

func (f *flagCollector) AddError(name, format string, args ...any) {
	if len(f.flags) < maxFlags {
		f.flags = append(f.flags, Flag{Code: flagCode(name), Detail: fmt.Sprintf(format, args...), Severe: true})
	}
}

func (f *flagCollector) AddWarning(name, format string, args ...any) {
	if len(f.flags) < maxFlags {
		f.flags = append(f.flags, Flag{Code: flagCode(name), Detail: fmt.Sprintf(format, args...)})
	}
}

func (m *Message) flag(code, detail string, severe bool) {
	if len(m.Flags) >= maxFlags {
		return
	}
	detail = cleanLine(detail, 300)
	for _, f := range m.Flags {
		if f.Code == code && f.Detail == detail {
			return
		}
	}
	m.Flags = append(m.Flags, Flag{Code: code, Detail: detail, Severe: severe})
}

func (m *Message) addFlags(fs []Flag) {
	for _, f := range fs {
		m.flag(f.Code, f.Detail, f.Severe)
	}
}

// HasFlag reports whether the message carries a flag with the given code.
func (m *Message) HasFlag(code string) bool {
	return slices.ContainsFunc(m.Flags, func(f Flag) bool { return f.Code == code })
}

func (m *Message) enmimeFlag(e *enmime.Error) {
	if e == nil {
		return
	}
	if e.Name == enmime.ErrorPlainTextFromHTML && !e.Severe {
		return // normal for HTML-only mail: recorded as TextFromHTML
	}
	m.flag(flagCode(e.Name), e.Detail, e.Severe)
}

// flagCode maps enmime's error names onto this package's stable flag codes.
func flagCode(name string) string {
	switch name {
	case enmime.ErrorMalformedHeader:
		return "header-malformed"
	case enmime.ErrorMissingBoundary:
		return "boundary-missing"
	case enmime.ErrorMissingContentType:
		return "content-type-missing"
	case enmime.ErrorCharsetConversion:
		return "charset-conversion"
	case enmime.ErrorContentEncoding:
		return "content-encoding"
	case enmime.ErrorPlainTextFromHTML:
		return "html-conversion"
	case enmime.ErrorCharsetDeclaration:
		return "charset-mismatch"
	case enmime.ErrorMalformedBase64:
		return "base64-malformed"
	case enmime.ErrorMalformedChildPart:
		return "part-malformed"
	case enmime.ErrorDataHasBoundary:
		return "data-has-boundary"
	}
	return "mime"
}

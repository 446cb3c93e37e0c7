package campaign

import "strings"

// SlugOf is the campaign slug of a request reference: "LXP7" for
// "LXP7-004". A slug holds no hyphen (slugPattern), so the slug is what
// stands before the last one; "" when ref is not a reference.
func SlugOf(ref string) string {
	i := strings.LastIndexByte(ref, '-')
	if i <= 0 || !slugPattern.MatchString(ref[:i]) {
		return ""
	}
	return ref[:i]
}

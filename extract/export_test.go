package extract

// TextWithin is Text with a shorter time limit, for the tests of hostile
// files that would otherwise take the full Timeout.
var TextWithin = textWithin

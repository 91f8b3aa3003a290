package sse

import (
	"encoding/json"
	"strconv"
)

// numberField returns the top-level member `name` of the JSON object in data
// when it is a number, as JavaScript's JSON.parse(data)[name] with
// typeof === 'number' would; ok is false otherwise (not an object, no such
// member, another type, invalid JSON).
//
// Stamps are read on every event, so a targeted scan does the common case
// without decoding the object: it walks the top-level members in order,
// skipping values (strings with their escapes, nested objects and arrays)
// until the member is found, and reads that number alone. Whatever the scan
// does not settle (an escaped key, malformed JSON before or right after the
// member, a data that does not end with '}') goes to encoding/json, which
// decides. Two differences remain by design, both about invalid or unusual
// JSON: members after the one found are not validated (validating every
// event would cost more than the scan), and with a repeated member the scan
// takes the first, JSON.parse the last.
func numberField(data, name string) (float64, bool) {
	v, res := scanNumberField(data, name)
	switch res {
	case scanFound:
		return v, true
	case scanMissing:
		return 0, false
	default:
		return decodeNumberField(data, name)
	}
}

type scanResult int

const (
	scanFound   scanResult = iota
	scanMissing            // a well-formed object without the member, or with a non-number value
	scanUnsure             // left to encoding/json
)

func scanNumberField(data, name string) (float64, scanResult) {
	if lastNonSpace(data) != '}' {
		return 0, scanUnsure
	}
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return 0, scanUnsure
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return 0, scanMissing
	}
	for i < len(data) {
		if data[i] != '"' {
			return 0, scanUnsure
		}
		keyEnd, escaped := stringEnd(data, i)
		if keyEnd < 0 || escaped {
			return 0, scanUnsure
		}
		key := data[i+1 : keyEnd-1]
		i = skipSpace(data, keyEnd)
		if i >= len(data) || data[i] != ':' {
			return 0, scanUnsure
		}
		i = skipSpace(data, i+1)
		if key == name {
			return readNumber(data, i)
		}
		if i = skipValue(data, i); i < 0 {
			return 0, scanUnsure
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return 0, scanUnsure
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return 0, scanMissing
		default:
			return 0, scanUnsure
		}
	}
	return 0, scanUnsure
}

// readNumber reads the member value at data[i:].
func readNumber(data string, i int) (float64, scanResult) {
	j := i
	for j < len(data) && isNumberByte(data[j]) {
		j++
	}
	if j == i {
		if i < len(data) && (data[i] == '"' || data[i] == 'n' || data[i] == 't' || data[i] == 'f' || data[i] == '{' || data[i] == '[') {
			return 0, scanMissing // present but not a number: as `typeof !== 'number'`
		}
		return 0, scanUnsure
	}
	tok := data[i:j]
	if k := skipSpace(data, j); k >= len(data) || (data[k] != ',' && data[k] != '}') || !validJSONNumber(tok) {
		return 0, scanUnsure
	}
	v, err := strconv.ParseFloat(tok, 64)
	if err != nil {
		return 0, scanUnsure
	}
	return v, scanFound
}

// stringEnd returns the index just past the closing quote of the string
// starting at data[i] == '"', or -1; escaped tells whether it held a backslash.
func stringEnd(data string, i int) (end int, escaped bool) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped
		}
	}
	return -1, escaped
}

// skipValue returns the index just past the JSON value at data[i], or -1.
// It checks nesting and strings, not full validity: encoding/json does that
// when the scan is unsure.
func skipValue(data string, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		end, _ := stringEnd(data, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, _ := stringEnd(data, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default: // number, true, false, null
		j := i
		for j < len(data) && data[j] != ',' && data[j] != '}' && data[j] != ']' && !isSpace(data[j]) {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// validJSONNumber checks the JSON number grammar, which is narrower than
// strconv.ParseFloat's (no "Inf", hex, leading '+' or '.', or leading zeros).
func validJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

// decodeNumberField is the slow, exact path: a full decode of the top level.
func decodeNumberField(data, name string) (float64, bool) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal([]byte(data), &members); err != nil {
		return 0, false
	}
	raw, ok := members[name]
	if !ok {
		return 0, false
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, false // not a number (or out of float64 range)
	}
	return v, true
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isNumberByte(b byte) bool {
	return isDigit(b) || b == '-' || b == '+' || b == '.' || b == 'e' || b == 'E'
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

func lastNonSpace(s string) byte {
	for i := len(s) - 1; i >= 0; i-- {
		if !isSpace(s[i]) {
			return s[i]
		}
	}
	return 0
}

package generate

import (
	"strings"
	"unicode"
)

// What a field's name says about its value. Keys are split into words
// (snake_case, kebab-case, camelCase, dotted) so that "otpCode" and
// "otp_code" are secret while "hotpink" and "author" are not.

// secretWords make a key secret when any of its words is one of them.
var secretWords = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "pass": true, "passphrase": true, "passcode": true,
	"secret": true, "secrets": true, "token": true, "tokens": true, "otp": true, "totp": true, "hotp": true,
	"mfa": true, "twofa": true, "2fa": true, "pin": true, "cvv": true, "cvc": true, "cvv2": true, "ssn": true,
	"credential": true, "credentials": true, "creds": true, "auth": true, "authorization": true,
	"apikey": true, "session": true, "sessionid": true, "sid": true, "cookie": true, "cookies": true,
	"signature": true, "csrf": true, "xsrf": true, "privatekey": true, "pan": true, "iban": true,
}

// secretKeys are whole keys (words joined) whose values are secret.
var secretKeys = map[string]bool{
	"key": true, "card": true, "cardnumber": true, "ccnumber": true, "cc": true, "creditcard": true,
	"accesstoken": true, "refreshtoken": true, "idtoken": true, "clientsecret": true, "privatekey": true,
	"setcookie": true, "securitycode": true, "verificationcode": true, "authcode": true, "recoverycode": true,
	"backupcode": true, "resettoken": true, "accountnumber": true, "routingnumber": true, "secretkey": true,
	"accesskey": true, "accesskeyid": true, "apisecret": true, "xapikey": true, "authenticitytoken": true,
}

// secretParts make a key secret when its joined words contain them.
var secretParts = []string{"password", "passwd", "passphrase", "secret", "apikey", "privatekey", "sessionid", "creditcard", "cardnumber", "credential", "accesstoken", "authtoken"}

// notSecretLast are last words that describe a secret without being one:
// "token_type" is "Bearer", "password_length" a number, "otp_enabled" a flag.
var notSecretLast = map[string]bool{
	"type": true, "kind": true, "length": true, "len": true, "count": true, "expires": true, "expiry": true,
	"expiration": true, "ttl": true, "enabled": true, "required": true, "hint": true, "policy": true,
	"strength": true, "label": true, "placeholder": true, "error": true, "errors": true, "format": true,
	"verified": true, "confirmed": true, "status": true, "at": true, "date": true, "time": true, "updated": true,
	"changed": true, "visible": true, "set": true,
}

// queryOnlySecrets are secret as query parameters (and in Location URLs)
// but ordinary as JSON keys: an OAuth "code" is a credential, a JSON
// "code" is usually an error code.
var queryOnlySecrets = map[string]bool{
	"code": true, "state": true, "sig": true, "signature": true, "xamzcredential": true,
	"xamzsignature": true, "xamzsecuritytoken": true, "awsaccesskeyid": true, "googleaccessid": true,
	"xgoogcredential": true, "xgoogsignature": true, "hmac": true, "hash": true, "ticket": true, "jwt": true,
	"assertion": true, "samlresponse": true, "samlrequest": true,
}

// phoneWords make a key's value a phone number.
var phoneWords = map[string]bool{"phone": true, "phonenumber": true, "mobile": true, "tel": true, "telephone": true, "msisdn": true, "cell": true, "cellphone": true, "fax": true, "sms": true}

// keyWords splits a key into lower-case words.
func keyWords(k string) []string {
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	runes := []rune(k)
	for i, r := range runes {
		switch {
		case unicode.IsUpper(r):
			// A new word at a lower→Upper step and at the last capital of
			// an acronym followed by lower case ("APIKey" → api, key).
			if i > 0 && (unicode.IsLower(runes[i-1]) || (i+1 < len(runes) && unicode.IsLower(runes[i+1]) && unicode.IsUpper(runes[i-1]))) {
				flush()
			}
			cur.WriteRune(unicode.ToLower(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return words
}

// secretKey reports whether a JSON key, form field or query parameter
// holds a secret.
func secretKey(k string) bool {
	words := keyWords(k)
	if len(words) == 0 {
		return false
	}
	joined := strings.Join(words, "")
	if secretKeys[joined] {
		return true
	}
	if len(words) > 1 && notSecretLast[words[len(words)-1]] {
		return false
	}
	for _, w := range words {
		if secretWords[w] {
			return true
		}
	}
	for _, p := range secretParts {
		if strings.Contains(joined, p) {
			return true
		}
	}
	return false
}

// secretQueryKey reports whether a query parameter (or a pair in a URL
// fragment) holds a secret.
func secretQueryKey(k string) bool {
	return secretKey(k) || queryOnlySecrets[strings.Join(keyWords(k), "")]
}

// phoneKey reports whether a key names a phone number.
func phoneKey(k string) bool {
	words := keyWords(k)
	if len(words) > 1 && notSecretLast[words[len(words)-1]] {
		return false
	}
	if phoneWords[strings.Join(words, "")] {
		return true
	}
	for _, w := range words {
		if phoneWords[w] {
			return true
		}
	}
	return false
}

// secretHeader reports whether a header's value is a credential.
func secretHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key":
		return true
	}
	for _, p := range []string{"token", "secret", "key", "session", "auth", "password", "csrf", "xsrf", "signature", "credential", "-sig", "otp"} {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

// urlHeader reports whether a header's value is a URL (or holds URLs).
func urlHeader(name string) bool {
	switch strings.ToLower(name) {
	case "location", "content-location", "refresh", "link", "referer", "origin":
		return true
	}
	return false
}

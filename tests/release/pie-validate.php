<?php
/**
 * Validates composer.json for PIE (the PHP Installer for Extensions), without PIE.
 *
 *   php tests/release/pie-validate.php composer.json SCHEMA.json [ASSET.zip ...]
 *
 * 1. The `php-ext` section against PIE's own JSON schema (resources/composer-json-php-ext-schema.json
 *    of php/pie), with justinrainbow/json-schema (Debian: php-json-schema), the validator
 *    Composer uses. PIE >= 1.4 also accepts a list for `download-url-method` and the value
 *    `pre-packaged-binary` (PIE 1.4.0 release notes; Composer's ValidatingArrayLoader checks a
 *    string or a non-empty list of composer-default, pre-packaged-source, pre-packaged-binary).
 *    An older schema file that only knows the string form is widened to that, and says so.
 * 2. PIE's other rules (docs/extension-maintainers.md): type php-ext or php-ext-zend, a
 *    vendor/package name, an extension name matching ExtensionName::VALID_PACKAGE_NAME_REGEX.
 * 3. Each release asset: named as PIE's PrePackagedBinaryAssetName::packageNames() builds
 *    the names it looks for, php_{ext}-{version}_php{X.Y}-{arch}-linux-{glibc|musl}[-debug][-zts|-nts].zip,
 *    with {ext}.so inside.
 *
 * Prints "N passed, M failed"; exits 1 on any failure.
 */

declare(strict_types=1);

require '/usr/share/php/JsonSchema/autoload.php';

[$self, $composer_file, $schema_file] = array_pad( $argv, 3, null );
if ( null === $composer_file || null === $schema_file ) {
	fwrite( STDERR, "usage: php $self composer.json SCHEMA.json [ASSET.zip ...]\n" );
	exit( 2 );
}
$assets = array_slice( $argv, 3 );

$passed = 0;
$failed = 0;
$check  = static function ( bool $ok, string $what ) use ( &$passed, &$failed ): void {
	if ( $ok ) {
		++$passed;
		echo "  ok    $what\n";
	} else {
		++$failed;
		echo "  FAIL  $what\n";
	}
};

$composer = json_decode( (string) file_get_contents( $composer_file ) );
$check( $composer instanceof stdClass, "$composer_file is a JSON object" );
$schema = json_decode( (string) file_get_contents( $schema_file ) );
$check( $schema instanceof stdClass && isset( $schema->properties->{'php-ext'} ), "$schema_file is PIE's php-ext schema" );
if ( ! $composer instanceof stdClass || ! $schema instanceof stdClass ) {
	echo "$passed passed, $failed failed\n";
	exit( 1 );
}

// 1. Schema.
$dum = $schema->properties->{'php-ext'}->properties->{'download-url-method'};
if ( ! in_array( 'pre-packaged-binary', $dum->enum ?? array(), true ) ) {
	echo "  note  this schema predates PIE 1.4: download-url-method widened to PIE 1.4's string-or-list of composer-default, pre-packaged-source, pre-packaged-binary\n";
	$methods = array( 'composer-default', 'pre-packaged-source', 'pre-packaged-binary' );
	$schema->properties->{'php-ext'}->properties->{'download-url-method'} = (object) array(
		'oneOf' => array(
			(object) array( 'type' => 'string', 'enum' => $methods ),
			(object) array( 'type' => 'array', 'minItems' => 1, 'items' => (object) array( 'type' => 'string', 'enum' => $methods ) ),
		),
	);
}
$validator = new JsonSchema\Validator();
$validator->validate( $composer, $schema );
foreach ( $validator->getErrors() as $error ) {
	echo "        {$error['property']}: {$error['message']}\n";
}
$check( $validator->isValid(), 'composer.json matches the php-ext schema' );

// 2. PIE's rules outside the schema.
$ext = $composer->{'php-ext'} ?? new stdClass();
$check( in_array( $composer->type ?? '', array( 'php-ext', 'php-ext-zend' ), true ), 'type is php-ext or php-ext-zend' );
$check( 1 === preg_match( '#^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$#', $composer->name ?? '' ), 'name is vendor/package' );
$name = $ext->{'extension-name'} ?? substr( (string) strrchr( (string) ( $composer->name ?? '' ), '/' ), 1 );
$check( 1 === preg_match( '#^[A-Za-z][a-zA-Z0-9_]+$#', $name ), "extension name '$name' matches PIE's ExtensionName regex" );
$check( ! ( isset( $ext->{'os-families'} ) && isset( $ext->{'os-families-exclude'} ) ), 'not both os-families and os-families-exclude' );
if ( isset( $ext->{'build-path'} ) ) {
	$check( is_file( dirname( $composer_file ) . '/' . $ext->{'build-path'} . '/config.m4' ), "build-path {$ext->{'build-path'}} has a config.m4 (phpize)" );
}

// 3. Release assets.
$pattern = '#^php_' . preg_quote( $name, '#' ) . '-([^_]+)_php(\d+\.\d+)-(x86_64|arm64|x86)-linux-(glibc|musl)(-debug)?(-zts|-nts)?\.(zip|tgz)$#';
foreach ( $assets as $asset ) {
	$base = basename( $asset );
	$check( 1 === preg_match( $pattern, $base ), "asset $base is named as PIE looks for it" );
	$zip = new ZipArchive();
	$ok  = true === $zip->open( $asset ) && false !== $zip->locateName( "$name.so" );
	$check( $ok, "asset $base contains $name.so" );
}

echo "$passed passed, $failed failed\n";
exit( $failed > 0 ? 1 : 0 );

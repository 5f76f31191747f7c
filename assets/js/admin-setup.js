/* CartPinger setup wizard: copy buttons. Labels come from cartpingerSetup (wp_localize_script). */
( function () {
	'use strict';
	var l10n = window.cartpingerSetup || { copied: 'Copied', failed: 'Press Ctrl+C to copy' };
	document.addEventListener( 'click', function ( event ) {
		var button = event.target.closest ? event.target.closest( '.cartpinger-copy' ) : null;
		if ( ! button ) {
			return;
		}
		var input = document.getElementById( button.getAttribute( 'data-copy' ) );
		if ( ! input ) {
			return;
		}
		var label = button.getAttribute( 'data-label' ) || button.textContent;
		button.setAttribute( 'data-label', label );
		var done = function ( ok ) {
			button.textContent = ok ? l10n.copied : l10n.failed;
			setTimeout( function () { button.textContent = label; }, 2000 );
		};
		input.select();
		if ( navigator.clipboard && window.isSecureContext ) {
			navigator.clipboard.writeText( input.value ).then( function () { done( true ); }, function () { done( false ); } );
			return;
		}
		var ok = false;
		try {
			ok = document.execCommand( 'copy' );
		} catch ( e ) {
			ok = false;
		}
		done( ok );
	} );
}() );

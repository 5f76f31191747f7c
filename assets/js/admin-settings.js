/* CartPinger settings, Chat button tab: a live preview that follows the form as it changes. */
( function () {
	'use strict';
	var cfg = window.cartpingerSettings || { callingCode: '', pages: {}, devices: {} };
	var box = document.querySelector( '.cartpinger-widget-preview' );
	if ( ! box ) {
		return;
	}
	function val( id ) {
		var el = document.getElementById( id );
		if ( ! el ) {
			return '';
		}
		return el.type === 'checkbox' ? ( el.checked ? '1' : '' ) : String( el.value || '' );
	}
	function draw() {
		var phone = val( 'cartpinger-support-phone' ).trim(), digits = phone.replace( /\D/g, '' ), message = val( 'cartpinger-widget-message' );
		if ( digits && phone.charAt( 0 ) !== '+' && cfg.callingCode ) {
			digits = cfg.callingCode + digits.replace( /^0+/, '' );
		}
		var url = digits ? 'https://wa.me/' + digits + ( message.trim() ? '?text=' + encodeURIComponent( message ) : '' ) : cfg.noPhone;
		box.querySelector( '.cartpinger-preview-url' ).textContent = url;
		box.querySelector( '.cartpinger-preview-screen' ).setAttribute( 'data-position', val( 'cartpinger-widget-position' ) || 'right' );
		box.querySelector( '.cartpinger-preview-screen' ).setAttribute( 'data-enabled', val( 'cartpinger-widget-enabled' ) ? '1' : '0' );
		box.querySelector( '.cartpinger-preview-where' ).textContent = ( val( 'cartpinger-widget-enabled' ) ? '' : cfg.off + ' ' ) +
			( cfg.pages[ val( 'cartpinger-widget-pages' ) ] || '' ) + ' · ' + ( cfg.devices[ val( 'cartpinger-widget-devices' ) ] || '' );
	}
	document.addEventListener( 'input', draw );
	document.addEventListener( 'change', draw );
	draw();
}() );

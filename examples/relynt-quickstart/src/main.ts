console.log('relynt-quickstart: not written yet')

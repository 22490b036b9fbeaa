console.log('ralio-quickstart: not written yet')
